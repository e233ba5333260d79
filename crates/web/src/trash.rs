//! The trash: deleted events of every calendar the user may write to; restore one, several
//! or all.

use askama::Template;
use axum::extract::{Form, Query, State};
use axum::response::Response;
use serde::Deserialize;

use crate::frame::{Frame, Nav, render, see_other};
use crate::i18n::fill;
use crate::session::Signed;
use crate::time::stamp;
use crate::{Shared, WebError, home};

pub struct Item {
    pub id: String,
    pub value: String,
    pub title: String,
    pub deleted: String,
    pub source: String,
}

pub struct CalendarTrash {
    pub label: String,
    pub items: Vec<Item>,
}

#[derive(Template)]
#[template(path = "trash.html")]
struct TrashPage {
    frame: Frame,
    calendars: Vec<CalendarTrash>,
    empty: bool,
}

#[derive(Deserialize, Default)]
pub struct Done {
    #[serde(default)]
    restored: Option<usize>,
}

pub async fn page(
    State(web): State<Shared>,
    signed: Signed,
    Query(done): Query<Done>,
) -> Result<Response, WebError> {
    let mut calendars = Vec::new();
    let mut count = 0;
    for entry in home::writable(&web, &signed).await? {
        let tombstones = web.vault.trash(signed.actor(), &entry.calendar).await?;
        if tombstones.is_empty() {
            continue;
        }
        calendars.push(CalendarTrash {
            label: crate::agenda::calendar_label(&entry),
            items: tombstones
                .into_iter()
                .map(|t| {
                    count += 1;
                    Item {
                        id: format!("item-{count}"),
                        value: format!("{}:{}", entry.calendar.id, t.uid),
                        title: t.summary.unwrap_or_default(),
                        deleted: stamp(signed.tz, t.deleted_at),
                        source: t.source,
                    }
                })
                .collect(),
        });
    }
    let t = signed.lang.text();
    let notice = done
        .restored
        .map(|n| fill(t.restored_count, &[&n.to_string()]));
    render(&TrashPage {
        frame: Frame::new(&signed, Nav::Trash, "/trash").with_notice(notice),
        empty: calendars.is_empty(),
        calendars,
    })
}

/// The form's fields as pairs: checkboxes repeat `item=CALENDAR:UID`.
pub async fn restore(
    State(web): State<Shared>,
    signed: Signed,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let csrf = fields
        .iter()
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    signed.check_csrf(csrf)?;
    let all = fields.iter().any(|(k, v)| k == "all" && v == "1");
    let mut restored = 0;
    if all {
        for entry in home::writable(&web, &signed).await? {
            restored += web
                .vault
                .restore_from_trash(signed.actor(), &entry.calendar, &[])
                .await?
                .len();
        }
        return Ok(see_other(&format!("/trash?restored={restored}")));
    }
    let mut by_calendar: std::collections::BTreeMap<i64, Vec<String>> = Default::default();
    for (_, value) in fields.iter().filter(|(k, _)| k == "item") {
        let (calendar, uid) = value.split_once(':').ok_or(WebError::NotFound)?;
        let calendar = calendar.parse::<i64>().map_err(|_| WebError::NotFound)?;
        by_calendar
            .entry(calendar)
            .or_default()
            .push(uid.to_string());
    }
    for (calendar, uids) in by_calendar {
        let calendar =
            home::calendar(&web, &signed, calendar, calvault_core::Access::Write).await?;
        restored += web
            .vault
            .restore_from_trash(signed.actor(), &calendar, &uids)
            .await?
            .len();
    }
    Ok(see_other(&format!("/trash?restored={restored}")))
}
