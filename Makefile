# Convenience targets; each one is a ./dev.py command (see README.md).
.PHONY: run test lint odoo-selftest setup

run:
	./dev.py run

test:
	./dev.py test

lint:
	./dev.py lint

odoo-selftest:
	./dev.py selftest

# not part of the test run: Odoo's mark done against the backflush (bench/)
.PHONY: bench
bench:
	./dev.py bench

setup:
	./dev.py setup

.PHONY: readme
readme:
	python3 tools/gen_readme.py backflush_mrp

# the translation template, from a database (POT_DB) with backflush_mrp installed and
# current; Odoo 11 writes a template when no language is given, but only to a .po file
POT_DB ?= backflush_pot
.PHONY: pot
pot:
	./dev.py odoo -d $(POT_DB) -i backflush_mrp -u backflush_mrp --without-demo=all --stop-after-init --log-level=warn
	./dev.py odoo -d $(POT_DB) --i18n-export=.odoo/backflush_mrp.po --modules=backflush_mrp --log-level=warn
	mkdir -p backflush_mrp/i18n
	mv .odoo/backflush_mrp.po backflush_mrp/i18n/backflush_mrp.pot
