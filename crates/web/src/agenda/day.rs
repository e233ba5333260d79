//! The day view: one day's occurrences in order.

use askama::Template;
use axum::response::Response;
use chrono::{Duration, NaiveDate};

use super::{DayBlock, Nav, day_blocks, window};
use crate::frame::{Frame, Nav as Menu, render};
use crate::session::Signed;
use crate::{Shared, WebError};

#[derive(Template)]
#[template(path = "agenda_days.html")]
pub struct DaysPage {
    pub frame: Frame,
    pub nav: Nav,
    pub days: Vec<DayBlock>,
    pub week: bool,
}

pub async fn page(web: &Shared, signed: &Signed, day: NaiveDate) -> Result<Response, WebError> {
    let window = window(web, signed, day, day).await?;
    let title = crate::time::long_date(signed.lang.text(), day);
    let nav = Nav::new(
        signed,
        "day",
        title,
        day,
        day - Duration::days(1),
        day + Duration::days(1),
    );
    let here = format!("/agenda?view=day&date={}", nav.date);
    render(&DaysPage {
        frame: Frame::new(signed, Menu::Agenda, here),
        days: day_blocks(signed, &window, day, day, true),
        nav,
        week: false,
    })
}
