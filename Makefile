# Convenience targets; each one is a ./dev.py command (see README.md).
# RUNTIME=py37|py36|py311 picks the Python (./dev.py --runtime); by default test
# runs py37 then py311, and the other commands py37 (py311 when there is no 3.7).
.PHONY: run test lint odoo-selftest setup
RUNTIME ?=
DEV = ./dev.py $(if $(RUNTIME),--runtime $(RUNTIME))

run:
	$(DEV) run

test:
	$(DEV) test

lint:
	./dev.py lint

odoo-selftest:
	$(DEV) selftest

# not part of the test run: Odoo's mark done against the backflush (bench/), realistic
# orders by default; bench-best-case: the first benchmark's orders; BENCH_ARGS: more options
# (e.g. BENCH_ARGS="--n 100 --sample 5 --no-4n --no-profile")
BENCH_ARGS ?=
.PHONY: bench bench-best-case
bench:
	$(DEV) bench $(BENCH_ARGS)

bench-best-case:
	$(DEV) bench --best-case $(BENCH_ARGS)

# not part of the test run: scanners against a multi-worker server (bench/loadtest.py)
.PHONY: loadtest
loadtest:
	./dev.py loadtest

setup:
	$(DEV) setup

.PHONY: readme
readme:
	python3 tools/gen_readme.py backflush_mrp

# the translation template, from a database (POT_DB) with backflush_mrp installed and
# current; Odoo 11 writes a template when no language is given, but only to a .po file
POT_DB ?= backflush_pot
.PHONY: pot
pot:
	$(DEV) odoo -d $(POT_DB) -i backflush_mrp -u backflush_mrp --without-demo=all --stop-after-init --log-level=warn
	$(DEV) odoo -d $(POT_DB) --i18n-export=.odoo/backflush_mrp.po --modules=backflush_mrp --log-level=warn
	mkdir -p backflush_mrp/i18n
	mv .odoo/backflush_mrp.po backflush_mrp/i18n/backflush_mrp.pot
