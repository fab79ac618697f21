//! The route table. Every route is registered here with the [`Permission`] it needs, and the
//! router is built from this table alone, so a route cannot exist without a permission and
//! anything not listed is a 404 (deny by default). Page routes are registered twice, at `/…`
//! in Japanese and at `/en/…` in English.

use axum::Router;
use axum::extract::{Request, State};
use axum::handler::Handler;
use axum::http::Method;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, on};
use kizuki_domain::{Access, Permission};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::trace::TraceLayer;

use crate::context::{self, RequestContext};
use crate::error::AppError;
use crate::state::AppState;
use crate::{api, assets, csrf, headers, pages, qda_board};

/// One entry of the route table, as the tests and the OpenAPI document see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouteSpec {
    pub method: Method,
    pub path: String,
    pub permission: Permission,
}

struct RouteTable {
    router: Router<AppState>,
    specs: Vec<RouteSpec>,
}

impl RouteTable {
    fn new() -> RouteTable {
        RouteTable {
            router: Router::new(),
            specs: Vec::new(),
        }
    }

    /// A route at exactly `path`.
    fn route<H, T>(mut self, method: Method, path: &str, permission: Permission, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        let filter = method_filter(&method);
        let mut guarded = on(filter, handler);
        // Layers run from the last added: the permission first, then membership, then the
        // handler and its extractors (so a body is never read for someone who may not send it).
        if let Some(scope) = ProjectScope::of(path) {
            guarded =
                guarded.route_layer(middleware::from_fn_with_state(scope, require_membership));
        }
        let guarded = guarded.route_layer(middleware::from_fn_with_state(
            permission,
            require_permission,
        ));
        self.router = self.router.route(path, guarded);
        self.specs.push(RouteSpec {
            method,
            path: path.to_owned(),
            permission,
        });
        self
    }

    /// A page, at `path` in Japanese and at `/en{path}` in English.
    fn page<H, T>(self, method: Method, path: &str, permission: Permission, handler: H) -> Self
    where
        H: Handler<T, AppState> + Clone,
        T: 'static,
    {
        let english = kizuki_i18n::Lang::En.localize(path);
        let table = self.route(method.clone(), path, permission, handler.clone());
        let table = table.route(method.clone(), &english, permission, handler.clone());
        // "/en/" and "/en" both reach the English home page.
        if path == "/" {
            table.route(method, "/en", permission, handler)
        } else {
            table
        }
    }
}

fn method_filter(method: &Method) -> MethodFilter {
    match *method {
        Method::POST => MethodFilter::POST,
        Method::PUT => MethodFilter::PUT,
        Method::PATCH => MethodFilter::PATCH,
        Method::DELETE => MethodFilter::DELETE,
        // GET also answers HEAD.
        _ => MethodFilter::GET,
    }
}

async fn require_permission(
    State(permission): State<Permission>,
    request: Request,
    next: Next,
) -> Response {
    let Some(context) = request.extensions().get::<RequestContext>() else {
        return AppError::Internal("permission check before context".to_owned()).into_response();
    };
    match permission.check(context.role()) {
        Access::Granted => next.run(request).await,
        denied => context::deny(context, denied),
    }
}

/// Routes of one KJ project or one of its transcripts: their records belong to the project's
/// members, whatever the role, and anyone else is told they do not exist (404), the same for
/// every method and before the body is read, so no answer shows whether a project exists.
#[derive(Clone, Copy, Debug)]
enum ProjectScope {
    Project,
    Transcript,
}

impl ProjectScope {
    const PREFIXES: [(&'static str, ProjectScope); 4] = [
        ("/research/projects/{id}", ProjectScope::Project),
        ("/api/v1/qda/projects/{id}", ProjectScope::Project),
        ("/research/transcripts/{id}", ProjectScope::Transcript),
        ("/api/v1/qda/transcripts/{id}", ProjectScope::Transcript),
    ];

    fn of(path: &str) -> Option<ProjectScope> {
        let (_, path) = kizuki_i18n::Lang::split_path(path);
        Self::PREFIXES
            .iter()
            .find(|(prefix, _)| {
                path.strip_prefix(prefix)
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
            })
            .map(|(_, scope)| *scope)
    }
}

async fn require_membership(
    State(scope): State<ProjectScope>,
    axum::extract::Path(params): axum::extract::Path<Vec<(String, String)>>,
    request: Request,
    next: Next,
) -> Response {
    let (Some(context), Some(state)) = (
        request.extensions().get::<RequestContext>(),
        request.extensions().get::<AppState>(),
    ) else {
        return AppError::Internal("membership check before context".to_owned()).into_response();
    };
    let Some(user) = &context.user else {
        return context::deny(context, kizuki_domain::Access::SignInRequired);
    };
    let id = params
        .iter()
        .find(|(name, _)| name == "id")
        .and_then(|(_, value)| value.parse::<i64>().ok());
    let member = match (scope, id) {
        (_, None) => Ok(false),
        (ProjectScope::Project, Some(id)) => state.store().is_qda_member(id, user.id).await,
        (ProjectScope::Transcript, Some(id)) => {
            state.store().is_qda_transcript_member(id, user.id).await
        }
    };
    match member {
        Ok(true) => next.run(request).await,
        Ok(false) => AppError::NotFound.into_response_for(context),
        Err(error) => AppError::from(error).into_response_for(context),
    }
}

fn table() -> RouteTable {
    use Method as M;
    use Permission as P;
    use pages::manage::questionnaires as survey;
    use pages::manage::registration as enrol;
    use pages::{catalogue, manage, registration};
    RouteTable::new()
        .page(M::GET, "/", P::Public, pages::home::show)
        .page(M::GET, "/about", P::Public, pages::site::operator)
        .page(M::GET, "/privacy", P::Public, pages::site::privacy)
        .page(
            M::GET,
            "/accessibility",
            P::Public,
            pages::site::accessibility,
        )
        .page(M::GET, "/trainings", P::Public, catalogue::trainings::list)
        .page(
            M::GET,
            "/trainings/{id}",
            P::Public,
            catalogue::trainings::show,
        )
        .page(M::GET, "/study-groups", P::Public, catalogue::groups::list)
        .page(
            M::GET,
            "/study-groups/{id}",
            P::Public,
            catalogue::groups::show,
        )
        .page(
            M::GET,
            "/study-groups/{id}/contact",
            P::Public,
            catalogue::contact::form,
        )
        .page(
            M::POST,
            "/study-groups/{id}/contact",
            P::Public,
            catalogue::contact::send,
        )
        .page(M::GET, "/venues/{id}", P::Public, catalogue::venues::show)
        .page(M::GET, "/map", P::Public, catalogue::map::show)
        .page(M::GET, "/map.svg", P::Public, catalogue::map::download)
        .page(
            M::GET,
            "/statistics",
            P::Public,
            catalogue::statistics::show,
        )
        .page(M::GET, "/calendar.ics", P::Public, catalogue::feeds::all)
        .page(
            M::GET,
            "/trainings/{id}/calendar.ics",
            P::Public,
            catalogue::feeds::training,
        )
        .page(
            M::GET,
            "/study-groups/{id}/calendar.ics",
            P::Public,
            catalogue::feeds::group,
        )
        .page(M::GET, "/feed.atom", P::Public, catalogue::feeds::atom)
        .page(
            M::GET,
            "/trainings/{id}/apply",
            P::Public,
            registration::apply::form,
        )
        .page(
            M::POST,
            "/trainings/{id}/apply",
            P::Public,
            registration::apply::submit,
        )
        .page(
            M::GET,
            "/trainings/{id}/applied",
            P::Public,
            registration::apply::applied,
        )
        .page(
            M::POST,
            "/trainings/{id}/resend-link",
            P::Public,
            registration::apply::resend_link,
        )
        .page(M::GET, "/application", P::Public, registration::mine::show)
        .page(
            M::POST,
            "/application/confirm",
            P::Public,
            registration::mine::confirm,
        )
        .page(
            M::POST,
            "/application/take-seat",
            P::Public,
            registration::mine::take_seat,
        )
        .page(
            M::POST,
            "/application/cancel",
            P::Public,
            registration::mine::cancel,
        )
        .page(
            M::POST,
            "/application/details",
            P::Public,
            registration::mine::update_details,
        )
        .page(
            M::POST,
            "/application/delete",
            P::Public,
            registration::mine::delete,
        )
        .page(
            M::POST,
            "/application/close",
            P::Public,
            registration::mine::close,
        )
        .page(
            M::GET,
            "/manage/trainings/{id}/guide",
            P::ManageEvents,
            pages::contacts::guide_form,
        )
        .page(
            M::POST,
            "/manage/trainings/{id}/guide",
            P::ManageEvents,
            pages::contacts::guide_save,
        )
        .page(
            M::GET,
            "/manage/trainings/{id}/registration",
            P::ManageEvents,
            enrol::settings::form,
        )
        .page(
            M::POST,
            "/manage/trainings/{id}/registration",
            P::ManageEvents,
            enrol::settings::save,
        )
        .page(
            M::GET,
            "/manage/trainings/{id}/applications",
            P::ManageEvents,
            enrol::roster::show,
        )
        .page(
            M::GET,
            "/manage/trainings/{id}/applications.csv",
            P::ManageEvents,
            enrol::exports::csv,
        )
        .page(
            M::GET,
            "/manage/trainings/{id}/applications.xlsx",
            P::ManageEvents,
            enrol::exports::xlsx,
        )
        .page(
            M::GET,
            "/manage/trainings/{id}/participants",
            P::SignedIn,
            enrol::roster::names,
        )
        .page(
            M::GET,
            "/manage/trainings/{id}/attendance",
            P::SignedIn,
            enrol::attendance::show,
        )
        .page(
            M::POST,
            "/manage/trainings/{id}/attendance",
            P::SignedIn,
            enrol::attendance::record,
        )
        .page(
            M::GET,
            "/manage/trainings/{id}/sign-in-sheet",
            P::ManageEvents,
            enrol::attendance::sheet,
        )
        .page(
            M::POST,
            "/manage/trainings/{id}/messages",
            P::ManageEvents,
            enrol::decisions::message,
        )
        .page(
            M::POST,
            "/manage/trainings/{id}/lottery",
            P::ManageEvents,
            enrol::decisions::draw,
        )
        .page(
            M::GET,
            "/manage/trainings/{id}/lottery.json",
            P::ManageEvents,
            enrol::decisions::lottery_record,
        )
        .page(
            M::POST,
            "/manage/trainings/{id}/purge",
            P::ManageEvents,
            enrol::decisions::purge,
        )
        .page(
            M::GET,
            "/manage/applications/{id}",
            P::ManageEvents,
            enrol::decisions::show,
        )
        .page(
            M::POST,
            "/manage/applications/{id}",
            P::ManageEvents,
            enrol::decisions::decide,
        )
        .page(
            M::GET,
            "/manage/outbox",
            P::ManageEvents,
            enrol::outbox::show,
        )
        .page(M::GET, "/answer", P::Public, pages::answer::show)
        .page(M::POST, "/answer", P::Public, pages::answer::submit)
        .page(
            M::POST,
            "/answer/code",
            P::Public,
            pages::answer::enter_code,
        )
        .page(M::GET, "/answer/thanks", P::Public, pages::answer::thanks)
        .page(M::GET, "/manage/questionnaires", P::Evaluation, survey::all)
        .page(
            M::POST,
            "/manage/questionnaire-templates",
            P::ManageEvents,
            survey::create_template,
        )
        .page(
            M::GET,
            "/manage/trainings/{id}/questionnaires",
            P::ManageEvents,
            survey::of_training,
        )
        .page(
            M::POST,
            "/manage/trainings/{id}/questionnaires",
            P::ManageEvents,
            survey::create,
        )
        .page(
            M::GET,
            "/manage/questionnaires/{id}",
            P::ManageEvents,
            survey::edit::show,
        )
        .page(
            M::POST,
            "/manage/questionnaires/{id}",
            P::ManageEvents,
            survey::edit::save,
        )
        .page(
            M::POST,
            "/manage/questionnaires/{id}/questions",
            P::ManageEvents,
            survey::edit::add_question,
        )
        .page(
            M::POST,
            "/manage/questionnaires/{id}/questions/{question}/delete",
            P::ManageEvents,
            survey::edit::delete_question,
        )
        .page(
            M::POST,
            "/manage/questionnaires/{id}/codes",
            P::ManageEvents,
            survey::edit::slips,
        )
        .page(
            M::POST,
            "/manage/questionnaires/{id}/mail-codes",
            P::ManageEvents,
            survey::edit::mail,
        )
        .page(
            M::POST,
            "/manage/questionnaires/{id}/save-template",
            P::ManageEvents,
            survey::edit::save_as_template,
        )
        .page(
            M::POST,
            "/manage/questionnaires/{id}/close",
            P::ManageEvents,
            survey::edit::close,
        )
        .page(
            M::GET,
            "/manage/questionnaires/{id}/results",
            P::Evaluation,
            survey::results::show,
        )
        .page(
            M::POST,
            "/manage/questionnaires/{id}/k",
            P::ManageUsers,
            survey::results::set_min_cell,
        )
        .page(
            M::GET,
            "/manage/questionnaires/{id}/answers.csv",
            P::Evaluation,
            survey::results::answers_csv,
        )
        .page(
            M::GET,
            "/manage/questionnaires/{id}/tallies.csv",
            P::Evaluation,
            survey::results::tallies_csv,
        )
        .page(
            M::GET,
            "/manage/questionnaires/{id}/codebook.csv",
            P::Evaluation,
            survey::results::codebook_csv,
        )
        .page(
            M::GET,
            "/manage/questionnaires/{id}/codebook.json",
            P::Evaluation,
            survey::results::codebook_json,
        )
        .page(
            M::GET,
            "/manage/questionnaires/{id}/coding",
            P::Research,
            survey::coding::show,
        )
        .page(
            M::POST,
            "/manage/questionnaires/{id}/coding/{question}/categories",
            P::Research,
            survey::coding::save_categories,
        )
        .page(
            M::POST,
            "/manage/questionnaires/{id}/coding/{question}",
            P::Research,
            survey::coding::save_codes,
        )
        .page(
            M::POST,
            "/manage/questionnaires/{id}/lead",
            P::Research,
            survey::coding::take_lead,
        )
        .page(
            M::GET,
            "/manage/questionnaires/{id}/agreement",
            P::Research,
            survey::coding::agreement,
        )
        .page(
            M::GET,
            "/research/projects",
            P::Research,
            pages::research::projects::list,
        )
        .page(
            M::POST,
            "/research/projects",
            P::Research,
            pages::research::projects::create,
        )
        .page(
            M::GET,
            "/research/projects/{id}",
            P::Research,
            pages::research::projects::show,
        )
        .page(
            M::POST,
            "/research/projects/{id}/transcripts",
            P::Research,
            pages::research::projects::import,
        )
        .page(
            M::POST,
            "/research/projects/{id}/groups",
            P::Research,
            pages::research::projects::gather,
        )
        .page(
            M::POST,
            "/research/projects/{id}/members",
            P::Research,
            pages::research::members::add,
        )
        .page(
            M::GET,
            "/research/projects/{id}/members",
            P::Research,
            pages::research::members::show,
        )
        .page(
            M::POST,
            "/research/projects/{id}/members/remove",
            P::Research,
            pages::research::members::remove,
        )
        .page(
            M::GET,
            "/research/projects/{id}/exchange",
            P::Research,
            pages::research::exchange::show,
        )
        .page(
            M::POST,
            "/research/projects/{id}/pseudonyms",
            P::Research,
            pages::research::members::save_key,
        )
        .page(
            M::GET,
            "/research/projects/{id}/table.xlsx",
            P::Research,
            crate::qda_downloads::table_xlsx,
        )
        .page(
            M::GET,
            "/research/projects/{id}/table.md",
            P::Research,
            crate::qda_downloads::table_markdown,
        )
        .route(
            M::GET,
            "/api/v1/qda/projects/{id}/table.xlsx",
            P::Research,
            crate::qda_downloads::table_xlsx,
        )
        .page(
            M::GET,
            "/research/projects/{id}/table.csv",
            P::Research,
            crate::qda_downloads::table_csv,
        )
        .page(
            M::GET,
            "/research/projects/{id}/board",
            P::Research,
            pages::research::board::show,
        )
        .page(
            M::GET,
            "/research/projects/{id}/board.json",
            P::Research,
            qda_board::board_state,
        )
        .page(
            M::POST,
            "/research/projects/{id}/board/move",
            P::Research,
            qda_board::move_nodes,
        )
        .page(
            M::POST,
            "/research/projects/{id}/board/edit",
            P::Research,
            qda_board::edit_node,
        )
        .page(
            M::POST,
            "/research/projects/{id}/board/place",
            P::Research,
            qda_board::place_node,
        )
        .page(
            M::POST,
            "/research/projects/{id}/board/spread",
            P::Research,
            qda_board::spread_node,
        )
        .page(
            M::GET,
            "/research/projects/{id}/board.css",
            P::Research,
            pages::research::board::stylesheet,
        )
        .page(
            M::POST,
            "/research/projects/{id}/board/dissolve",
            P::Research,
            qda_board::dissolve,
        )
        .page(
            M::POST,
            "/research/projects/{id}/board/delete",
            P::Research,
            qda_board::delete_card,
        )
        .page(
            M::POST,
            "/research/projects/{id}/relations",
            P::Research,
            qda_board::relate,
        )
        .page(
            M::GET,
            "/research/projects/{id}/diagram",
            P::Research,
            pages::research::report::diagram_page,
        )
        .page(
            M::GET,
            "/research/projects/{id}/diagram.svg",
            P::Research,
            pages::research::report::diagram_file,
        )
        .page(
            M::GET,
            "/research/projects/{id}/diagram.png",
            P::Research,
            pages::research::report::diagram_picture,
        )
        .page(
            M::GET,
            "/research/projects/{id}/report",
            P::Research,
            pages::research::report::report_page,
        )
        .page(
            M::GET,
            "/research/transcripts/{id}/edit",
            P::Research,
            pages::research::transcript_edit::page,
        )
        .page(
            M::POST,
            "/research/transcripts/{id}/meta",
            P::Research,
            pages::research::transcript_edit::save_meta,
        )
        .page(
            M::POST,
            "/research/transcripts/{id}/speaker",
            P::Research,
            pages::research::transcript_edit::rename_speaker,
        )
        .page(
            M::POST,
            "/research/transcripts/{id}/line",
            P::Research,
            pages::research::transcript_edit::set_line_speaker,
        )
        .page(
            M::POST,
            "/research/transcripts/{id}/pseudonymise",
            P::Research,
            pages::research::transcript_edit::pseudonymise,
        )
        .page(
            M::GET,
            "/research/projects/{id}/agreement",
            P::Research,
            pages::research::agreement::page,
        )
        .page(
            M::GET,
            "/research/projects/{id}/sorting",
            P::Research,
            pages::research::agreement::sorting_page,
        )
        .page(
            M::POST,
            "/research/projects/{id}/sorting",
            P::Research,
            pages::research::agreement::save_sorting,
        )
        .route(
            M::PATCH,
            "/api/v1/qda/transcripts/{id}",
            P::Research,
            api::qda_edit::update_details,
        )
        .route(
            M::POST,
            "/api/v1/qda/transcripts/{id}/turns",
            P::Research,
            api::qda_edit::edit_turns,
        )
        .route(
            M::POST,
            "/api/v1/qda/transcripts/{id}/pseudonymise",
            P::Research,
            api::qda_edit::pseudonymise,
        )
        .route(
            M::GET,
            "/api/v1/qda/projects/{id}/agreement",
            P::Research,
            api::qda_agreement::compare,
        )
        .route(
            M::PUT,
            "/api/v1/qda/projects/{id}/sorting",
            P::Research,
            api::qda_agreement::save_sorting,
        )
        .page(
            M::GET,
            "/research/projects/{id}/search",
            P::Research,
            pages::research::search::page,
        )
        .route(
            M::GET,
            "/api/v1/qda/projects/{id}/search",
            P::Research,
            api::qda_search::search,
        )
        .page(
            M::POST,
            "/research/projects/{id}/writeup",
            P::Research,
            pages::research::report::save_writeup,
        )
        .page(
            M::GET,
            "/research/projects/{id}/writeup.md",
            P::Research,
            pages::research::report::writeup_file,
        )
        .page(
            M::GET,
            "/research/projects/{id}/export.qdpx",
            P::Research,
            crate::qda_downloads::export_qdpx,
        )
        .page(
            M::GET,
            "/research/projects/{id}/codebook.qdc",
            P::Research,
            crate::qda_downloads::codebook_qdc,
        )
        .page(
            M::POST,
            "/research/projects/import",
            P::Research,
            pages::research::exchange::import_new,
        )
        .page(
            M::POST,
            "/research/projects/{id}/import",
            P::Research,
            pages::research::exchange::import_into,
        )
        .page(
            M::POST,
            "/research/projects/{id}/board/group",
            P::Research,
            api::qda::create_group,
        )
        .route(
            M::GET,
            "/api/v1/qda/projects/{id}/board",
            P::Research,
            qda_board::board_state,
        )
        .route(
            M::POST,
            "/api/v1/qda/projects/{id}/board/move",
            P::Research,
            qda_board::move_nodes,
        )
        .route(
            M::POST,
            "/api/v1/qda/projects/{id}/board/edit",
            P::Research,
            qda_board::edit_node,
        )
        .route(
            M::POST,
            "/api/v1/qda/projects/{id}/board/place",
            P::Research,
            qda_board::place_node,
        )
        .route(
            M::POST,
            "/api/v1/qda/projects/{id}/board/spread",
            P::Research,
            qda_board::spread_node,
        )
        .route(
            M::POST,
            "/api/v1/qda/projects/{id}/board/dissolve",
            P::Research,
            qda_board::dissolve,
        )
        .route(
            M::POST,
            "/api/v1/qda/projects/{id}/board/delete",
            P::Research,
            qda_board::delete_card,
        )
        .route(
            M::POST,
            "/api/v1/qda/projects/{id}/relations",
            P::Research,
            qda_board::relate,
        )
        .route(
            M::GET,
            "/api/v1/qda/projects/{id}/export.qdpx",
            P::Research,
            crate::qda_downloads::export_qdpx,
        )
        .route(
            M::GET,
            "/api/v1/qda/projects/{id}/codebook.qdc",
            P::Research,
            crate::qda_downloads::codebook_qdc,
        )
        .route(
            M::POST,
            "/api/v1/qda/import",
            P::Research,
            api::qda_import::import_api,
        )
        .page(
            M::GET,
            "/research/transcripts/{id}",
            P::Research,
            pages::research::transcripts::show,
        )
        .page(
            M::POST,
            "/research/transcripts/{id}/cards",
            P::Research,
            pages::research::transcripts::create_card,
        )
        .page(M::GET, "/login", P::Public, pages::auth::login_form)
        .page(M::POST, "/login", P::Public, pages::auth::login)
        .page(M::POST, "/logout", P::SignedIn, pages::auth::logout)
        .page(
            M::GET,
            "/invitation/{token}",
            P::Public,
            pages::invitation::show,
        )
        .page(
            M::POST,
            "/invitation/{token}",
            P::Public,
            pages::invitation::accept,
        )
        .page(M::GET, "/dashboard", P::SignedIn, pages::dashboard::show)
        .page(M::GET, "/account", P::SignedIn, pages::account::show)
        .page(
            M::POST,
            "/account/name",
            P::SignedIn,
            pages::account::change_name,
        )
        .page(
            M::POST,
            "/account/password",
            P::SignedIn,
            pages::account::change_password,
        )
        .page(
            M::POST,
            "/account/tokens",
            P::SignedIn,
            pages::account::create_token,
        )
        .page(
            M::POST,
            "/account/tokens/revoke",
            P::SignedIn,
            pages::account::revoke_token,
        )
        .page(
            M::GET,
            "/manage/trainings",
            P::ManageEvents,
            manage::trainings::index,
        )
        .page(
            M::POST,
            "/manage/trainings",
            P::ManageEvents,
            manage::trainings::create,
        )
        .page(
            M::GET,
            "/manage/trainings/new",
            P::ManageEvents,
            manage::trainings::new_form,
        )
        .page(
            M::GET,
            "/manage/trainings/{id}/edit",
            P::ManageEvents,
            manage::trainings::edit_form,
        )
        .page(
            M::POST,
            "/manage/trainings/{id}",
            P::ManageEvents,
            manage::trainings::update,
        )
        .page(
            M::POST,
            "/manage/trainings/{id}/delete",
            P::ManageEvents,
            manage::trainings::delete,
        )
        .page(
            M::GET,
            "/manage/people",
            P::ManageEvents,
            manage::people::index,
        )
        .page(
            M::POST,
            "/manage/people",
            P::ManageEvents,
            manage::people::create,
        )
        .page(
            M::GET,
            "/manage/people/{id}/edit",
            P::ManageEvents,
            manage::people::edit_form,
        )
        .page(
            M::POST,
            "/manage/people/{id}",
            P::ManageEvents,
            manage::people::update,
        )
        .page(
            M::GET,
            "/manage/import",
            P::ManageEvents,
            manage::import::form,
        )
        .page(
            M::POST,
            "/manage/import",
            P::ManageEvents,
            manage::import::upload,
        )
        .page(
            M::GET,
            "/manage/venues",
            P::ManageEvents,
            manage::venues::index,
        )
        .page(
            M::POST,
            "/manage/venues",
            P::ManageEvents,
            manage::venues::create,
        )
        .page(
            M::GET,
            "/manage/venues/new",
            P::ManageEvents,
            manage::venues::new_form,
        )
        .page(
            M::GET,
            "/manage/venues/{id}/edit",
            P::ManageEvents,
            manage::venues::edit_form,
        )
        .page(
            M::POST,
            "/manage/venues/{id}",
            P::ManageEvents,
            manage::venues::update,
        )
        .page(
            M::POST,
            "/manage/venues/{id}/delete",
            P::ManageEvents,
            manage::venues::delete,
        )
        .page(
            M::GET,
            "/manage/study-groups",
            P::SignedIn,
            manage::groups::index,
        )
        .page(
            M::POST,
            "/manage/study-groups",
            P::SignedIn,
            manage::groups::create,
        )
        .page(
            M::GET,
            "/manage/study-groups/new",
            P::SignedIn,
            manage::groups::new_form,
        )
        .page(
            M::GET,
            "/manage/study-groups/{id}/edit",
            P::SignedIn,
            manage::groups::edit_form,
        )
        .page(
            M::POST,
            "/manage/study-groups/{id}",
            P::SignedIn,
            manage::groups::update,
        )
        .page(
            M::POST,
            "/manage/study-groups/{id}/approve",
            P::ManageEvents,
            manage::groups::approve,
        )
        .page(
            M::POST,
            "/manage/study-groups/{id}/meetings",
            P::SignedIn,
            manage::groups::change_meeting,
        )
        .page(
            M::GET,
            "/manage/study-groups/{id}/messages",
            P::SignedIn,
            manage::group_messages::list,
        )
        .page(
            M::POST,
            "/manage/study-groups/{id}/messages/{message}/read",
            P::SignedIn,
            manage::group_messages::mark_read,
        )
        .page(
            M::POST,
            "/manage/study-groups/{id}/messages/{message}/reply",
            P::SignedIn,
            manage::group_messages::reply,
        )
        .page(M::GET, "/admin/users", P::ManageUsers, pages::admin::users)
        .page(
            M::GET,
            "/admin/operator",
            P::ManageUsers,
            pages::contacts::operator_form,
        )
        .page(
            M::POST,
            "/admin/operator",
            P::ManageUsers,
            pages::contacts::operator_save,
        )
        .page(
            M::POST,
            "/admin/users",
            P::ManageUsers,
            pages::admin::invite,
        )
        .page(
            M::POST,
            "/admin/users/role",
            P::ManageUsers,
            pages::admin::change_role,
        )
        .page(
            M::POST,
            "/admin/users/disable",
            P::ManageUsers,
            pages::admin::disable,
        )
        .page(
            M::POST,
            "/admin/users/enable",
            P::ManageUsers,
            pages::admin::enable,
        )
        .page(
            M::POST,
            "/admin/users/reinvite",
            P::ManageUsers,
            pages::admin::reinvite,
        )
        .route(M::GET, "/assets/{name}", P::Public, assets::serve)
        .route(M::GET, "/robots.txt", P::Public, pages::home::robots)
        .route(M::GET, "/healthz", P::Public, api::healthz)
        .route(
            M::GET,
            "/api/v1/openapi.json",
            P::Public,
            api::openapi_document,
        )
        .route(M::GET, "/api/v1/me", P::SignedIn, api::me)
        .route(
            M::GET,
            "/api/v1/trainings",
            P::Public,
            api::catalogue::list_trainings,
        )
        .route(
            M::POST,
            "/api/v1/trainings",
            P::ManageEvents,
            api::catalogue::create_training,
        )
        .route(
            M::POST,
            "/api/v1/trainings/{id}/applications",
            P::Public,
            api::applications::apply,
        )
        .route(
            M::GET,
            "/api/v1/trainings/{id}",
            P::Public,
            api::catalogue::get_training,
        )
        .route(
            M::GET,
            "/api/v1/trainings/{id}/applications",
            P::ManageEvents,
            api::registration::roster,
        )
        .route(
            M::POST,
            "/api/v1/trainings/{id}/lottery",
            P::ManageEvents,
            api::registration::draw,
        )
        .route(
            M::GET,
            "/api/v1/trainings/{id}/lottery",
            P::ManageEvents,
            api::registration::lottery,
        )
        .route(
            M::POST,
            "/api/v1/qda/projects",
            P::Research,
            api::qda::create_project,
        )
        .route(
            M::GET,
            "/api/v1/qda/projects",
            P::Research,
            api::qda::projects,
        )
        .route(
            M::POST,
            "/api/v1/qda/projects/{id}/members",
            P::Research,
            api::qda::add_member,
        )
        .route(
            M::PUT,
            "/api/v1/qda/projects/{id}/pseudonyms",
            P::Research,
            api::qda::set_pseudonyms,
        )
        .route(
            M::POST,
            "/api/v1/qda/projects/{id}/transcripts",
            P::Research,
            api::qda::create_transcript,
        )
        .route(
            M::GET,
            "/api/v1/qda/transcripts/{id}",
            P::Research,
            api::qda::transcript,
        )
        .route(
            M::POST,
            "/api/v1/qda/transcripts/{id}/cards",
            P::Research,
            api::qda::create_card,
        )
        .route(
            M::POST,
            "/api/v1/qda/projects/{id}/groups",
            P::Research,
            api::qda::create_group,
        )
        .route(
            M::GET,
            "/api/v1/qda/projects/{id}/table.csv",
            P::Research,
            crate::qda_downloads::table_csv,
        )
        .route(
            M::POST,
            "/api/v1/trainings/{id}/questionnaires",
            P::ManageEvents,
            api::questionnaires::create,
        )
        .route(
            M::POST,
            "/api/v1/questionnaires/{id}/tokens",
            P::ManageEvents,
            api::questionnaires::issue,
        )
        .route(
            M::POST,
            "/api/v1/questionnaires/{id}/close",
            P::ManageEvents,
            api::questionnaires::close,
        )
        .route(
            M::POST,
            "/api/v1/answers",
            P::Public,
            api::questionnaires::answer,
        )
        .route(
            M::GET,
            "/api/v1/questionnaires/{id}/results",
            P::Evaluation,
            api::questionnaires::results,
        )
        .route(
            M::GET,
            "/api/v1/questionnaires/{id}/codebook",
            P::Evaluation,
            api::questionnaires::codebook,
        )
        .route(
            M::PUT,
            "/api/v1/questionnaires/{id}/questions/{question}/categories",
            P::Research,
            api::questionnaires::set_categories,
        )
        .route(
            M::PUT,
            "/api/v1/questionnaires/{id}/codes",
            P::Research,
            api::questionnaires::code_answer,
        )
        .route(
            M::POST,
            "/api/v1/questionnaires/{id}/min-cell",
            P::ManageUsers,
            api::questionnaires::set_min_cell,
        )
        .route(
            M::POST,
            "/api/v1/trainings/{id}/attendance",
            P::ManageEvents,
            api::registration::record_attendance,
        )
        .route(
            M::GET,
            "/api/v1/trainings/{id}/attendance",
            P::ManageEvents,
            api::registration::attendance,
        )
        .route(
            M::POST,
            "/api/v1/applications/{id}/decision",
            P::ManageEvents,
            api::registration::decide,
        )
        .route(
            M::PUT,
            "/api/v1/trainings/{id}",
            P::ManageEvents,
            api::catalogue::update_training,
        )
        .route(
            M::DELETE,
            "/api/v1/trainings/{id}",
            P::ManageEvents,
            api::catalogue::delete_training,
        )
        .route(
            M::GET,
            "/api/v1/study-groups",
            P::Public,
            api::catalogue::list_groups,
        )
        .route(
            M::POST,
            "/api/v1/study-groups",
            P::SignedIn,
            api::catalogue::create_group,
        )
        .route(
            M::GET,
            "/api/v1/study-groups/{id}",
            P::Public,
            api::catalogue::get_group,
        )
        .route(
            M::PUT,
            "/api/v1/study-groups/{id}",
            P::SignedIn,
            api::catalogue::update_group,
        )
        .route(
            M::DELETE,
            "/api/v1/study-groups/{id}",
            P::ManageEvents,
            api::catalogue::delete_group,
        )
        .route(
            M::GET,
            "/api/v1/venues",
            P::Public,
            api::catalogue::list_venues,
        )
        .route(
            M::POST,
            "/api/v1/venues",
            P::ManageEvents,
            api::catalogue::create_venue,
        )
        .route(
            M::PUT,
            "/api/v1/venues/{id}",
            P::ManageEvents,
            api::catalogue::update_venue,
        )
        .route(
            M::DELETE,
            "/api/v1/venues/{id}",
            P::ManageEvents,
            api::catalogue::delete_venue,
        )
}

/// Every route with its method and permission.
pub fn route_specs() -> Vec<RouteSpec> {
    table().specs
}

pub fn build_router(state: AppState) -> Router {
    let mut router = table()
        .router
        .fallback(|| async { AppError::NotFound })
        // Inside the context layer, so that a panic still gets a page in the right language.
        .layer(CatchPanicLayer::custom(|_| {
            AppError::Internal("a handler panicked".to_owned()).into_response()
        }))
        .layer(middleware::from_fn_with_state(state.clone(), csrf::verify))
        .layer(RequestBodyLimitLayer::new(csrf::MAX_UPLOAD_BYTES))
        // axum's own extractors (a file sent to the API as the body) may take what a form may.
        .layer(axum::extract::DefaultBodyLimit::max(csrf::MAX_UPLOAD_BYTES))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            context::establish,
        ))
        // For the checks the route table adds to some routes (membership of a KJ project).
        .layer(axum::Extension(state.clone()))
        // The path only, never the query: an applicant's private link carries its key there
        // for the one request that moves it into a cookie.
        .layer(TraceLayer::new_for_http().make_span_with(
            |request: &axum::http::Request<axum::body::Body>| {
                tracing::debug_span!(
                    "request",
                    method = %request.method(),
                    path = %request.uri().path()
                )
            },
        ));
    for layer in headers::layers() {
        router = router.layer(layer);
    }
    router.with_state(state)
}
