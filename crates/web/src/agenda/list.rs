//! The agenda list: the coming weeks day by day, and the tasks; the default view on a phone.

use askama::Template;
use axum::response::Response;
use chrono::{Duration, NaiveDate};

use super::{DayBlock, Nav, Task, day_blocks, tasks, window};
use crate::frame::{Frame, Nav as Menu, render};
use crate::session::Signed;
use crate::{Shared, WebError};

/// How many days the list shows.
const DAYS: i64 = 30;

#[derive(Template)]
#[template(path = "agenda_list.html")]
struct ListPage {
    frame: Frame,
    nav: Nav,
    days: Vec<DayBlock>,
    tasks: Vec<Task>,
}

pub async fn page(web: &Shared, signed: &Signed, day: NaiveDate) -> Result<Response, WebError> {
    let last = day + Duration::days(DAYS - 1);
    let window = window(web, signed, day, last).await?;
    let tasks = tasks(web, signed).await?;
    let t = signed.lang.text();
    let title = format!(
        "{} – {}",
        crate::time::long_date(t, day),
        crate::time::long_date(t, last)
    );
    let nav = Nav::new(
        signed,
        "list",
        title,
        day,
        day - Duration::days(DAYS),
        day + Duration::days(DAYS),
    );
    let here = format!("/agenda?view=list&date={}", nav.date);
    render(&ListPage {
        frame: Frame::new(signed, Menu::Agenda, here),
        days: day_blocks(signed, &window, day, last, false),
        tasks,
        nav,
    })
}
