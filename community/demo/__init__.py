"""Demo data for Goodword: six bilingual brands (Chinese and English), their products,
demo members and as many realistic reviews as asked for, with helpful votes, verified
purchases, brand replies and photos.

It exists so that a fresh checkout shows a lived-in site (`make run` seeds it on first
start), so that the product page can be benchmarked against a realistic catalogue
(bench/), and so that a 100,000-review database is half a minute away for performance
work.
It is not an app and has no models: content.py holds the texts and names, drawings.py
draws the pictures (processed by the real upload pipeline), seeding.py writes the rows.
manage.py seed_demo is its interface.
"""
