"""Application factory: wiring only."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask_appbuilder import AppBuilder
from flask_login import user_logged_in


def create_app(config_object: str | object = "config", **overrides) -> Flask:
    # Imports here, not at the top: FAB's notes are quieted and the catalogs compiled before any
    # view module is imported, and `import app.models` (migrations, scripts) loads no views.
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_object(config_object)
    app.config.update(overrides)
    Path(app.instance_path).mkdir(exist_ok=True)  # the default SQLite file lives there
    from .catalogs import ensure_compiled
    from .log_noise import install as quiet_fab_notes

    quiet_fab_notes()  # before the views are built (they log FAB's notes)

    # Before anything reads a catalog: however the portal is started, it speaks Chinese.
    ensure_compiled(app.config["BABEL_TRANSLATION_DIRECTORIES"], app.config["LANGUAGES"])
    from .checks import run_checks

    run_checks(app)  # the registry, matrix, workflows, labels and catalogs agree, or no start
    if app.config.get("PROXY_FIX_X_FOR"):  # believe X-Forwarded-For only through our own proxies
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXY_FIX_X_FOR"])

    from .security import headers
    from .views import routing

    headers.install(app)  # first: its hook makes the CSP nonce before any other hook answers
    routing.install(app)  # before any route is added
    from .views.errors import install_schema_guard

    install_schema_guard(app)  # an unmigrated database: 503 and a log line, not 500 everywhere

    from .extensions import csrf, db, enforce_sqlite_foreign_keys, migrate
    from .security.manager import PortalSecurityManager
    from .views.home import PortalIndexView

    db.init_app(app)
    csrf.init_app(app)  # before AppBuilder (fab-notes)
    migrate.init_app(app, db, directory=str(app.root_path + "/../migrations"))

    from .locks import install as install_locks

    with app.app_context():
        enforce_sqlite_foreign_keys(db.engine)
        install_locks(db.engine, app.config["DATABASE_LOCK_TIMEOUT"])
        appbuilder = AppBuilder(
            security_manager_class=PortalSecurityManager,
            indexview=PortalIndexView,
            base_template="portal/layout.html",
        )
        appbuilder.init_app(app, db.session)
        _register_views(appbuilder)

    from .translation_memo import install as install_translation_memo

    install_translation_memo(app)
    from .views.language import refuse_fab_locale_switch, restore_locale

    refuse_fab_locale_switch(app)

    from .security import redirects

    redirects.install(app, index_endpoint="PortalIndexView.index")

    user_logged_in.connect(lambda sender, user, **kw: restore_locale(user), app, weak=False)

    from .display import display
    from .history import install as install_history

    install_history()
    from .rules import install as install_rules

    install_rules()
    from .attachments import install as install_attachments

    install_attachments()  # a deleted record's attachments go with it
    from .mail import install as install_mail

    install_mail(app)  # notifications raised in a commit, mailed after it

    app.add_template_filter(display, "portal_value")  # a value as pages show it (times in the factory zone)
    from .formats import number

    app.add_template_filter(number, "portal_amount")  # an amount in the reader's locale, two decimals
    from .client_texts import client_texts
    from .display import user_name

    app.add_template_global(user_name, "portal_user_name")
    app.add_template_global(client_texts, "portal_client_texts")
    from .views.breadcrumbs import install as install_breadcrumbs

    install_breadcrumbs(app)
    from .views.related import install as install_related

    install_related(app)
    from .views.menu import install as install_menu

    install_menu(app)
    from .views.worklists import install as install_worklists

    install_worklists(app)
    from .views.inbox import install as install_inbox

    install_inbox(app)
    from .display import risk_reason

    app.add_template_filter(risk_reason, "risk_reason")

    from .views.api_contract import install as install_api_contract

    install_api_contract(app)

    from .cli import register_cli

    register_cli(app)
    return app


def _register_views(appbuilder) -> None:
    # Imports here, not at the top: see create_app.
    from flask import current_app
    from flask_babel import lazy_gettext as _l

    from .attachments import limit_bytes as attachment_limit
    from .views.activities import ActivitiesView
    from .views.appraisal import AppraisalView
    from .views.attachments import UPLOAD_ENDPOINTS, AttachmentsApi, AttachmentsView, sandbox_downloads
    from .views.audit import ChangeLogView, LoginEventView
    from .views.calendar import CalendarView
    from .views.conduct import ViolationPenaltyView
    from .views.crud import register_all
    from .views.documents import (
        ContractFromQuotation,
        DocumentsApi,
        DocumentsView,
        OrderFromContract,
        PrintView,
    )
    from .views.favourites import FavouritesView
    from .views.grid import PermissionGridView
    from .views.imports import ImportApi, ImportView, imports_limit
    from .views.inbox import InboxView
    from .views.language import LanguageView
    from .views.logins import LoginSecurityView
    from .views.pipeline import PipelineView
    from .views.routing import install_upload_limits
    from .views.search import SearchView
    from .views.settings import SettingsView
    from .views.training import register as register_training
    from .views.workflow import WorkflowApi, WorkflowView
    from .views.worklists import WorklistView

    register_all(appbuilder)
    appbuilder.add_view_no_menu(LanguageView())
    appbuilder.add_view_no_menu(WorkflowView())
    appbuilder.add_view_no_menu(WorklistView())
    appbuilder.add_view_no_menu(InboxView())
    appbuilder.add_view_no_menu(ActivitiesView())
    appbuilder.add_view_no_menu(PipelineView())
    appbuilder.add_view_no_menu(CalendarView())
    appbuilder.add_view_no_menu(FavouritesView())
    appbuilder.add_view_no_menu(SearchView())
    appbuilder.add_view_no_menu(ViolationPenaltyView())
    appbuilder.add_view_no_menu(AppraisalView())
    appbuilder.add_view_no_menu(AttachmentsView())
    appbuilder.add_api(AttachmentsApi)
    # An upload's limit is raised before anything reads its body (the CSRF check reads the form).
    appbuilder.add_view_no_menu(ImportView())
    appbuilder.add_api(ImportApi)
    app = current_app._get_current_object()
    install_upload_limits(app, {**dict.fromkeys(UPLOAD_ENDPOINTS, attachment_limit),
                                "ImportView.preview": imports_limit, "ImportApi.run": imports_limit})
    app.after_request_funcs.setdefault(None, []).insert(0, sandbox_downloads)  # runs last
    for documents_view in (DocumentsView, ContractFromQuotation, OrderFromContract, PrintView):
        appbuilder.add_view_no_menu(documents_view())
    register_training(appbuilder)
    _register_screen_links(appbuilder)
    appbuilder.add_api(WorkflowApi)
    appbuilder.add_api(DocumentsApi)
    appbuilder.add_view(SettingsView, "menu_Settings", label=SettingsView.menu_label, category="Security")
    appbuilder.add_view(ChangeLogView, "menu_ChangeLog", label=_l("Change history"), category="Security")
    appbuilder.add_view(LoginEventView, "menu_LoginEvent", label=_l("Login journal"), category="Security")
    appbuilder.add_view(LoginSecurityView, "menu_LoginSecurity", label=LoginSecurityView.menu_label,
                        category="Security")
    appbuilder.add_view(
        PermissionGridView,
        "menu_PermissionGrid",
        label=PermissionGridView.menu_label,
        category="Security",
    )


def _register_screen_links(appbuilder) -> None:
    """The year view of the training plan and the scorecards in their chapters' menus
    (``app.registry.SCREENS``; shown to whoever may read their entity: security manager)."""
    # Imports here, not at the top: see create_app.
    from .labels import CATEGORIES
    from .registry import SCREENS

    for screen in SCREENS:
        appbuilder.add_link(screen.menu_name, href=screen.endpoint, label=screen.label,
                            category=screen.category, category_label=CATEGORIES[screen.category])
