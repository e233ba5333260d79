//! The week view: Monday to Sunday, a column per day on wide screens, stacked on a phone.

use axum::response::Response;
use chrono::{Duration, NaiveDate};

use super::day::DaysPage;
use super::{Nav, day_blocks, window};
use crate::frame::{Frame, Nav as Menu, render};
use crate::session::Signed;
use crate::time::{long_date, week_start};
use crate::{Shared, WebError};

pub async fn page(web: &Shared, signed: &Signed, day: NaiveDate) -> Result<Response, WebError> {
    let first = week_start(day);
    let last = first + Duration::days(6);
    let window = window(web, signed, first, last).await?;
    let t = signed.lang.text();
    let title = format!("{} – {}", long_date(t, first), long_date(t, last));
    let nav = Nav::new(
        signed,
        "week",
        title,
        day,
        day - Duration::days(7),
        day + Duration::days(7),
    );
    let here = format!("/agenda?view=week&date={}", nav.date);
    render(&DaysPage {
        frame: Frame::new(signed, Menu::Agenda, here),
        days: day_blocks(signed, &window, first, last, true),
        nav,
        week: true,
    })
}
