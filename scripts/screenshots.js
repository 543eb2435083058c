// Signs in as each demo account (ACCOUNTS: lines of "e-mail password"), follows the links of
// the site from the start page, and saves one full-page screenshot per kind of page (paths with
// their ids replaced) at 1280 and 320 px into OUT/<account>/. Driven by scripts/screenshots.
const { chromium } = require('playwright-core');
const fs = require('fs');
const path = require('path');

const base = process.env.BASE;
const out = process.env.OUT;
const accounts = process.env.ACCOUNTS.trim().split('\n').map((line) => line.trim().split(/\s+/));
const widths = [1280, 320];
const maxPages = Number(process.env.SCREENSHOT_MAX_PAGES || 40);
const uuid = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

// One picture per kind of page: /massnahmen/<id> once, the catalogue once per query key set.
function kind(href) {
  const url = new URL(href, base);
  const keys = [...new Set(url.searchParams.keys())].sort().join('+');
  return url.pathname.replace(uuid, '{id}') + (keys ? `?${keys}` : '');
}

function fileName(kindOfPage) {
  const name = kindOfPage.replace(/^\//, '').replace(/[^a-zA-Z0-9]+/g, '-').replace(/-+$/, '');
  return name || 'start';
}

async function shoot(browser, email, password) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${base}/anmelden`);
  await page.fill('#email', email);
  await page.fill('#password', password);
  await Promise.all([page.waitForNavigation(), page.click('main button[type=submit]')]);
  const folder = path.join(out, email.split('@')[0]);
  fs.mkdirSync(folder, { recursive: true });
  const seen = new Set();
  const queue = [`${base}/`];
  let taken = 0;
  while (queue.length > 0 && taken < maxPages) {
    const url = queue.shift();
    const pageKind = kind(url);
    if (seen.has(pageKind)) continue;
    seen.add(pageKind);
    const response = await page.goto(url);
    if (!response || response.status() >= 400) {
      console.warn(`${email}: ${url} answered ${response && response.status()}`);
    }
    for (const width of widths) {
      await page.setViewportSize({ width, height: 800 });
      await page.screenshot({ path: path.join(folder, `${fileName(pageKind)}-${width}.png`), fullPage: true });
    }
    taken += 1;
    const links = await page.$$eval('a[href^="/"]', (anchors) => anchors.map((a) => a.getAttribute('href')));
    for (const href of links) {
      if (href.startsWith('/static/') || href.includes('#')) continue;
      if (!seen.has(kind(href))) queue.push(new URL(href, base).toString());
    }
  }
  console.log(`${email}: ${taken} pages`);
  await context.close();
}

(async () => {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  for (const [email, password] of accounts) {
    await shoot(browser, email, password);
  }
  await browser.close();
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
