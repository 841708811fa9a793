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

setup:
	./dev.py setup

.PHONY: readme
readme:
	python3 tools/gen_readme.py backflush_mrp
