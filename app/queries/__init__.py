"""The domain's queries: what the pages, the work lists, the dashboards and the daily job count and
list, as SQL through the models (and the user's scope, ``security.scope``, where a user asks). No
URLs and no formatting here: the views build rows and links from these, and a counter and the
list it opens share one query. The formulas the figures feed are plain functions in
``app.services``.

One module per domain (``worklists``, ``collection``, ``appraisal``, ``training``, ...); callers
import the module they use. A function named ``*_query`` returns a list's query, ordered as the
list shows it; ``paging.count`` and ``paging.fetch`` run it (a counter, one page of the list, every
row for the export). The others return plain values: rows of model objects, numbers, dates.
"""
