# The two commands of the README. Both install what is missing first.
.PHONY: run test

# Runs PriMa at http://127.0.0.1:8080 with an embedded PostgreSQL in ./data.
run:
	scripts/install-deps
	cargo run --release --locked --

# Runs every check and test, as CI does.
test:
	scripts/install-deps --test
	scripts/test
