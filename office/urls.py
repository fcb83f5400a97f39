"""The office: /office/<slug>/... Every view here wears office.access.staff_page; the route x
role matrix test (office/tests/test_route_matrix.py) walks this list, so a new route is
checked the moment it is added."""

from django.urls import path

from office.views import (
    alerts,
    approvals,
    calendar,
    group,
    home,
    money,
    reports,
    rosters,
    setup,
    setup_audit,
    setup_facilities,
    setup_health,
    setup_imports,
    setup_lockouts,
    setup_offering_edit,
    setup_offerings,
    setup_programs,
    setup_reasons,
    setup_settings,
)

app_name = "office"

urlpatterns = [
    path("<slug:slug>/", home.home, name="home"),
    path("<slug:slug>/approvals/", approvals.approvals, name="approvals"),
    path("<slug:slug>/setup/", setup.setup, name="setup"),
    path("<slug:slug>/setup/settings/", setup_settings.settings, name="setup_settings"),
    path("<slug:slug>/setup/offerings/", setup_offerings.offerings, name="setup_offerings"),
    path("<slug:slug>/setup/offerings/new/", setup_offerings.new_offering, name="setup_offering_new"),
    path("<slug:slug>/setup/offerings/<int:offering_id>/", setup_offerings.offering, name="setup_offering"),
    path(
        "<slug:slug>/setup/offerings/<int:offering_id>/edit/",
        setup_offering_edit.edit_offering,
        name="setup_offering_edit",
    ),
    path(
        "<slug:slug>/setup/offerings/<int:offering_id>/schedule/",
        setup_offering_edit.edit_schedule,
        name="setup_schedule",
    ),
    path("<slug:slug>/setup/programs/", setup_programs.programs, name="setup_programs"),
    path("<slug:slug>/setup/programs/<int:program_id>/", setup_programs.program, name="setup_program"),
    path("<slug:slug>/setup/closures/", setup_programs.closures, name="setup_closures"),
    path("<slug:slug>/setup/facilities/", setup_facilities.facilities, name="setup_facilities"),
    path("<slug:slug>/setup/facilities/<int:facility_id>/", setup_facilities.facility, name="setup_facility"),
    path("<slug:slug>/setup/imports/", setup_imports.imports, name="setup_imports"),
    path("<slug:slug>/setup/imports/<int:run_id>/", setup_imports.import_run, name="setup_import"),
    path("<slug:slug>/setup/absence-reasons/", setup_reasons.absence_reasons, name="setup_absence_reasons"),
    path("<slug:slug>/setup/lockouts/", setup_lockouts.lockouts, name="setup_lockouts"),
    path("<slug:slug>/setup/audit/", setup_audit.audit_log, name="setup_audit"),
    path("<slug:slug>/setup/outbox/", setup_health.outbox_page, name="setup_outbox"),
    path("<slug:slug>/setup/worker/", setup_health.worker_page, name="setup_worker"),
    path("<slug:slug>/reports/", reports.home, name="reports"),
    path("<slug:slug>/reports/occupancy/", reports.occupancy, name="report_occupancy"),
    path("<slug:slug>/reports/days/", reports.days, name="report_days"),
    path("<slug:slug>/reports/incomplete/", reports.incomplete, name="report_incomplete"),
    # Money at the desk (issue 13, item 5; office-money)
    path("<slug:slug>/alerts/", alerts.inbox, name="alerts"),
    path("<slug:slug>/alerts/<int:alert_id>/resolve/", alerts.resolve, name="resolve_alert"),
    path("<slug:slug>/households/<int:household_id>/money/", money.household, name="household_money"),
    path("<slug:slug>/households/<int:household_id>/money/payments/", money.record_payment, name="record_payment"),
    path("<slug:slug>/households/<int:household_id>/money/refunds/", money.refund, name="refund"),
    path("<slug:slug>/orders/<int:order_id>/on-account/", money.on_account, name="on_account"),
    path("<slug:slug>/orders/<int:order_id>/pay-link/", money.pay_link, name="pay_link"),
    path("<slug:slug>/registrations/<int:registration_id>/delete/", money.delete, name="delete_registration"),
    path("<slug:slug>/registrations/<int:registration_id>/restore/", money.restore, name="restore_registration"),
    # Instructors' classes and rosters (issue 13, item 7; office-money)
    path("<slug:slug>/classes/", rosters.classes, name="classes"),
    path("<slug:slug>/classes/<int:offering_id>/", rosters.class_page, name="class_meetings"),
    path("<slug:slug>/classes/<int:offering_id>/instructors/", rosters.class_instructors, name="class_instructors"),
    path("<slug:slug>/meetings/<int:meeting_id>/roster/", rosters.meeting_roster, name="roster"),
    # Group enroll (issue 13, item 4; office-money)
    path("<slug:slug>/offerings/<int:offering_id>/group-enroll/", group.group, name="group_enroll"),
    path("<slug:slug>/calendar/", calendar.calendar, name="calendar"),
]
