"""The local web app (issue 21): ``controlroom-sim app`` serves it with Streamlit on 127.0.0.1.

The layer sits between ``planning`` and ``cli``: it reads files (uploads, the scenario library)
and hands scenarios to the layers below. The modules without Streamlit (:mod:`.rota_grid`,
:mod:`.warm`, :mod:`.comparing`, :mod:`.fit_run`, :mod:`.serve`) hold what the pages do; the
pages (:mod:`.main`, :mod:`.workbench_page`, :mod:`.fit_page`) only draw it.
"""
