//! The OpenAPI 3 document of the whole API, generated from the handlers' annotations.

use actix_web::HttpResponse;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::{alerts, calendar, handling, inspection, messages, metrics, reports};

#[derive(OpenApi)]
#[openapi(
    info(title = "huiyin (回音) API", description = "Citizen messages tracked to an answer within working days."),
    paths(
        super::health, super::ready, metrics::metrics,
        messages::create, messages::import, messages::list, messages::show, messages::reply,
        messages::transfer, messages::pause, messages::resume, messages::extend,
        messages::mark_invalid, messages::reopen,
        handling::request_extension, handling::approve_extension, handling::refuse_extension,
        handling::request_pause, handling::approve_pause, handling::refuse_pause,
        handling::return_to_office, handling::reassign, handling::verdict, handling::review,
        calendar::deadline, calendar::days, calendar::reload,
        alerts::list,
        reports::stats, reports::report_file, reports::regenerate,
        inspection::self_check,
    ),
    components(schemas(crate::error::ErrorEnvelope, crate::intake::ImportReport, crate::intake::ImportLine, messages::MessageReceipt,
        alerts::AlertView, alerts::AlertPage, crate::escalation::outbox::Backlog, crate::reports::Report,
        crate::inspection::SelfCheck)),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// `GET /openapi.json`
pub async fn document() -> HttpResponse {
    HttpResponse::Ok().json(ApiDoc::openapi())
}
