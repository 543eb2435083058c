//! The comparison of two iterations of the strategy at the size the issue names: 200 goals
//! each (target < 50 ms). The later iteration is a copy with lineage in which, fixed by a
//! xorshift sequence, about a fifth of the goals are reworded (a sentence of ~25 words with a
//! few words changed), some retired, moved into another field or reordered, new ones added and
//! two fields renamed – more change than a Fortschreibung makes. Also the same with 2,000 goals
//! each, to see how it grows.
//! Run: `cargo bench --bench diff`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use prima::domain::strategy::FieldKind;
use prima::domain::strategy::diff::{FieldRow, GoalRow, Side, diff};

struct Sequence(u64);

impl Sequence {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound
    }
}

const WORDS: [&str; 16] = [
    "Wir",
    "gestalten",
    "digitale",
    "Services",
    "gemeinsam",
    "mit",
    "den",
    "Beschäftigten",
    "und",
    "Bürgerinnen",
    "Bürgern",
    "in",
    "allen",
    "Bezirksämtern",
    "verlässlich",
    "offen",
];

fn sentence(sequence: &mut Sequence) -> String {
    (0..25)
        .map(|_| WORDS[sequence.below(WORDS.len() as u64) as usize])
        .collect::<Vec<_>>()
        .join(" ")
}

fn id(n: u64) -> uuid::Uuid {
    uuid::Uuid::from_u128(u128::from(n))
}

/// `goals` goals in fields of 20, and a changed copy of them.
fn pair(goals: u64) -> (Side, Side) {
    let mut sequence = Sequence(0x2545_F491_4F6C_DD1D);
    let fields = goals / 20;
    let mut before = Side::default();
    for f in 0..fields {
        before.fields.push(FieldRow {
            id: id(1_000_000 + f),
            origin: None,
            kind: FieldKind::DesignField,
            position: f as i32 + 1,
            name: format!("Gestaltungsfeld {f}"),
            retired: false,
        });
        for g in 0..20 {
            before.goals.push(GoalRow {
                id: id(f * 100 + g),
                origin: None,
                field: id(1_000_000 + f),
                position: g as i32 + 1,
                statement: sentence(&mut sequence),
                retired: false,
            });
        }
    }
    let mut after = Side::default();
    for field in &before.fields {
        let mut copy = FieldRow {
            id: id(field.id.as_u128() as u64 + 5_000_000),
            origin: Some(field.id),
            ..field.clone()
        };
        if sequence.below(10) == 0 {
            copy.name.push_str(" und Wandel");
        }
        after.fields.push(copy);
    }
    for goal in &before.goals {
        let mut copy = GoalRow {
            id: id(goal.id.as_u128() as u64 + 10_000_000),
            origin: Some(goal.id),
            field: id(goal.field.as_u128() as u64 + 5_000_000),
            ..goal.clone()
        };
        match sequence.below(20) {
            0..=3 => {
                let mut words: Vec<&str> = copy.statement.split(' ').collect();
                for _ in 0..3 {
                    let at = sequence.below(words.len() as u64) as usize;
                    words[at] = WORDS[sequence.below(WORDS.len() as u64) as usize];
                }
                copy.statement = words.join(" ");
            }
            4 => copy.retired = true,
            5 => copy.field = after.fields[sequence.below(fields) as usize].id,
            6 => copy.position = 100 - copy.position,
            _ => {}
        }
        after.goals.push(copy);
    }
    for n in 0..goals / 20 {
        after.goals.push(GoalRow {
            id: id(20_000_000 + n),
            origin: None,
            field: after.fields[sequence.below(fields) as usize].id,
            position: 50 + n as i32,
            statement: sentence(&mut sequence),
            retired: false,
        });
    }
    (before, after)
}

fn bench(c: &mut Criterion) {
    for goals in [200, 2_000] {
        let (before, after) = pair(goals);
        let changes = diff(&before, &after).len();
        c.bench_function(
            &format!("diff of two iterations, {goals} goals each ({changes} changes)"),
            |b| b.iter(|| diff(black_box(&before), black_box(&after))),
        );
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
