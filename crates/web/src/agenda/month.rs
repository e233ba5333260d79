//! The month view: a grid of weeks, a few titles per day and a link to the day for the rest.

use askama::Template;
use axum::response::Response;
use chrono::{Datelike, Duration, NaiveDate};

use super::{Nav, Occurrence, window};
use crate::frame::{Frame, Nav as Menu, render};
use crate::i18n::fill;
use crate::session::Signed;
use crate::time::{self, add_months, month_start, week_start};
use crate::{Shared, WebError};

/// Titles shown in a day's cell before "n more".
const PER_CELL: usize = 3;

pub struct Cell {
    pub day: u32,
    pub href: String,
    pub label: String,
    pub in_month: bool,
    pub is_today: bool,
    pub occurrences: Vec<Occurrence>,
    pub more: Option<String>,
}

#[derive(Template)]
#[template(path = "agenda_month.html")]
struct MonthPage {
    frame: Frame,
    nav: Nav,
    weekdays: [&'static str; 7],
    weeks: Vec<Vec<Cell>>,
}

pub async fn page(web: &Shared, signed: &Signed, day: NaiveDate) -> Result<Response, WebError> {
    let t = signed.lang.text();
    let first_of_month = month_start(day);
    let first = week_start(first_of_month);
    let next_month = add_months(first_of_month, 1);
    let last = week_start(next_month - Duration::days(1)) + Duration::days(6);
    let window = window(web, signed, first, last).await?;
    let mut by_day = window.by_day(first, last);
    let today = time::today(signed.tz);
    let mut weeks = Vec::new();
    let mut current = first;
    while current <= last {
        let mut week = Vec::with_capacity(7);
        for _ in 0..7 {
            let all = by_day.remove(&current).unwrap_or_default();
            let more = (all.len() > PER_CELL)
                .then(|| fill(t.more_events, &[&(all.len() - PER_CELL).to_string()]));
            week.push(Cell {
                day: current.day(),
                href: format!("/agenda?view=day&date={}", current.format("%Y-%m-%d")),
                label: time::long_date(t, current),
                in_month: current.month() == first_of_month.month(),
                is_today: current == today,
                occurrences: all.into_iter().take(PER_CELL).cloned().collect(),
                more,
            });
            current += Duration::days(1);
        }
        weeks.push(week);
    }
    let nav = Nav::new(
        signed,
        "month",
        time::month_title(t, day),
        day,
        add_months(first_of_month, -1),
        next_month,
    );
    let here = format!("/agenda?view=month&date={}", nav.date);
    render(&MonthPage {
        frame: Frame::new(signed, Menu::Agenda, here),
        nav,
        weekdays: t.weekdays,
        weeks,
    })
}
