//! `company:*` — tenants and their settings.

use clap::{Args, Subcommand};

use super::{id_parser, IfNotExists};
use crate::cli::output::opt;
use crate::cli::Ctx;
use crate::error::Result;
use crate::ops::company::{self, Channel, NewCompanyRequest, Scheduling, SettingsRequest};
use crate::store::{Company, GreetingKind};

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a company; prints `Company ID: N`
    Create(CreateArgs),
    /// Show a company's settings, or change the ones given
    Config(ConfigArgs),
    /// Set the greeting for a situation (new, returning, predicted, after hours)
    Greeting(GreetingArgs),
    /// List companies
    List,
    /// Show one company with its greetings
    Show {
        #[arg(value_parser = id_parser(), value_name = "ID")]
        id: i64,
    },
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    /// Company name (unique; prompted for on a terminal)
    #[arg(long)]
    name: Option<String>,
    #[arg(long)]
    email: Option<String>,
    /// Main phone number, any usual written form; stored in E.164
    #[arg(long)]
    phone: Option<String>,
    /// ISO country code, the default region for phone numbers
    #[arg(long, default_value = "DE")]
    country: String,
    /// IANA time zone, inherited by branches
    #[arg(long, default_value = "Europe/Berlin")]
    timezone: String,
    /// Industry preset for settings and opening hours: a key (`askpro templates:list`) or a preset file
    #[arg(long, value_name = "KEY|FILE", value_parser = super::industry_parser(), hide_possible_values = true)]
    industry: Option<String>,
    #[arg(long, value_name = "ID")]
    calcom_team_id: Option<i64>,
    /// Stored encrypted; shown only masked
    #[arg(long, value_name = "KEY")]
    calcom_api_key: Option<String>,
    /// Stored encrypted; shown only masked
    #[arg(long, value_name = "KEY")]
    retell_api_key: Option<String>,
    /// Calendar backend
    #[arg(long, value_enum, default_value = "local")]
    scheduling: Scheduling,
    #[command(flatten)]
    if_not_exists: IfNotExists,
}

#[derive(Debug, Args)]
pub struct ConfigArgs {
    /// Company id (see `askpro company:list`)
    #[arg(long, value_parser = id_parser())]
    company_id: i64,
    /// Channels for callback requests, comma-separated
    #[arg(long, value_enum, value_delimiter = ',')]
    callback_channels: Option<Vec<Channel>>,
    #[arg(long)]
    callback_email: Option<String>,
    /// Predict the service of returning callers (default true)
    #[arg(long, value_name = "BOOL", value_parser = clap::builder::BoolishValueParser::new())]
    enable_smart_service: Option<bool>,
    /// Minimum confidence for service matching and prediction, 0–1 (default 0.8)
    #[arg(long, value_name = "F")]
    service_confidence_threshold: Option<f64>,
    /// Offer returning callers their usual staff member (default true)
    #[arg(long, value_name = "BOOL", value_parser = clap::builder::BoolishValueParser::new())]
    enable_staff_preferences: Option<bool>,
    /// Minimum confidence for staff prediction, 0–1 (default 0.8)
    #[arg(long, value_name = "F")]
    staff_confidence_threshold: Option<f64>,
    /// Cancellation notice in hours (default 0: none)
    #[arg(long, allow_negative_numbers = true, value_name = "N")]
    cancellation_hours: Option<i64>,
    #[arg(long, value_name = "KEY")]
    calcom_api_key: Option<String>,
    #[arg(long, value_name = "KEY")]
    retell_api_key: Option<String>,
    /// The secret of the company's Cal.com webhook: /calcom/webhook accepts only deliveries
    /// signed with it (X-Cal-Signature-256)
    #[arg(long, value_name = "SECRET")]
    calcom_webhook_secret: Option<String>,
    #[arg(long, value_enum)]
    scheduling: Option<Scheduling>,
    /// Local calendar: minutes between possible start times, 5–240 (default 15)
    #[arg(long, allow_negative_numbers = true, value_name = "MIN")]
    slot_step: Option<i64>,
    /// Local calendar: minutes kept free around every appointment, 0–240 (default 0)
    #[arg(long, allow_negative_numbers = true, value_name = "MIN")]
    slot_buffer: Option<i64>,
    /// Local calendar: minutes from now before the first bookable start (default 60)
    #[arg(long, allow_negative_numbers = true, value_name = "MIN")]
    min_notice: Option<i64>,
}

#[derive(Debug, Args)]
pub struct GreetingArgs {
    /// Company id (see `askpro company:list`)
    #[arg(long, value_parser = id_parser())]
    company_id: i64,
    /// Which situation the greeting is for
    #[arg(long = "type", value_enum)]
    kind: GreetingKind,
    /// The text; may use {{customer_name}}, {{service}}, {{company}}, {{branch}}
    #[arg(long)]
    template: String,
}

pub async fn run(cmd: Command, ctx: &Ctx) -> Result<()> {
    match cmd {
        Command::Create(a) => {
            let name = ctx.ui.text(a.name, "--name", "Company name")?;
            let req = NewCompanyRequest {
                name,
                email: a.email,
                phone: a.phone,
                country: Some(a.country),
                timezone: Some(a.timezone),
                industry: a.industry,
                calcom_team_id: a.calcom_team_id,
                calcom_api_key: a.calcom_api_key,
                retell_api_key: a.retell_api_key,
                scheduling: Some(a.scheduling),
                if_not_exists: a.if_not_exists.if_not_exists,
            };
            let created = company::create(ctx.app().await?, req).await?;
            ctx.out.created("Company", created.entity.id, created.existed, &created.entity)
        }
        Command::Config(a) => {
            let req = SettingsRequest {
                callback_channels: a.callback_channels,
                callback_email: a.callback_email,
                enable_smart_service: a.enable_smart_service,
                service_confidence_threshold: a.service_confidence_threshold,
                enable_staff_preferences: a.enable_staff_preferences,
                staff_confidence_threshold: a.staff_confidence_threshold,
                cancellation_hours: a.cancellation_hours,
                calcom_api_key: a.calcom_api_key,
                retell_api_key: a.retell_api_key,
                calcom_webhook_secret: a.calcom_webhook_secret,
                scheduling: a.scheduling,
                slot_step_min: a.slot_step,
                slot_buffer_min: a.slot_buffer,
                min_notice_min: a.min_notice,
            };
            let company = company::configure(ctx.app_to_read().await?, a.company_id, req).await?;
            if ctx.out.quiet && !ctx.out.json {
                // -q: the id, as create commands print it, not the whole configuration.
                return crate::cli::output::print_line(&company.id.to_string());
            }
            ctx.out.show(&company, &fields(&company))
        }
        Command::Greeting(a) => {
            company::set_greeting(ctx.app_to_read().await?, a.company_id, a.kind, &a.template).await?;
            let value =
                serde_json::json!({"company_id": a.company_id, "type": a.kind.as_str(), "template": a.template.trim()});
            ctx.out.message(&value, &format!("Greeting '{}' set for company {}", a.kind.as_str(), a.company_id))
        }
        Command::List => {
            let companies = company::list(ctx.app_to_read().await?).await?;
            ctx.out.list("companies", &companies, &["id", "name", "industry", "timezone", "scheduling", "phone"], |c| {
                vec![
                    c.id.to_string(),
                    c.name.clone(),
                    opt(&c.industry),
                    c.timezone.clone(),
                    c.scheduling.clone(),
                    opt(&c.phone),
                ]
            })
        }
        Command::Show { id } => {
            let details = company::show(ctx.app_to_read().await?, id).await?;
            let mut rows = fields(&details.company);
            rows.push(("branches", details.branch_count.to_string()));
            rows.push(("services", details.service_count.to_string()));
            for (kind, template) in &details.greetings {
                rows.push(("greeting", format!("{kind}: {template}")));
            }
            ctx.out.show(&details, &rows)
        }
    }
}

fn fields(c: &Company) -> Vec<(&'static str, String)> {
    vec![
        ("id", c.id.to_string()),
        ("name", c.name.clone()),
        ("email", opt(&c.email)),
        ("phone", opt(&c.phone)),
        ("country", c.country.clone()),
        ("timezone", c.timezone.clone()),
        ("industry", opt(&c.industry)),
        ("scheduling", c.scheduling.clone()),
        ("calcom team", opt(&c.calcom_team_id)),
        ("calcom api key", opt(&c.calcom_api_key)),
        ("retell api key", opt(&c.retell_api_key)),
        ("calcom webhook secret", opt(&c.calcom_webhook_secret)),
        ("callback channels", c.callback_channels.clone()),
        ("callback email", opt(&c.callback_email)),
        ("smart service", c.enable_smart_service.to_string()),
        ("service threshold", c.service_confidence_threshold.to_string()),
        ("staff preferences", c.enable_staff_preferences.to_string()),
        ("staff threshold", c.staff_confidence_threshold.to_string()),
        ("cancellation hours", c.cancellation_hours.to_string()),
        ("slot step (min)", c.slot_step_min.to_string()),
        ("slot buffer (min)", c.slot_buffer_min.to_string()),
        ("minimum notice (min)", c.min_notice_min.to_string()),
    ]
}
