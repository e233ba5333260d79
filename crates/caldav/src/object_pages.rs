//! A calendar's live objects a page at a time, in id order, read with their text only when the
//! answer needs it: a listing of any size comes from the index alone and in bounded memory.

use calvault_core::CoreError;
use calvault_core::store::StoredObject;
use calvault_dav_proto::PropSelection;
use calvault_dav_proto::name::{caldav, dav};

use crate::{Ctx, DavError};

/// Objects read per store call (and written per body chunk).
const PAGE: u32 = 500;

pub(crate) struct ObjectPages {
    calendar: i64,
    with_data: bool,
    /// The last object id of the previous page.
    after: i64,
}

impl ObjectPages {
    pub(crate) fn new(calendar: i64, selection: &PropSelection) -> Self {
        ObjectPages {
            calendar,
            with_data: needs_data(selection),
            after: 0,
        }
    }

    /// The next page, or None once every object was given. Without the text, each object's
    /// `data` is empty.
    pub(crate) async fn next(&mut self, ctx: &Ctx) -> Result<Option<Vec<StoredObject>>, DavError> {
        let store = ctx.vault().store();
        let page = if self.with_data {
            store.objects_page(self.calendar, self.after, PAGE).await
        } else {
            store
                .object_metas_page(self.calendar, self.after, PAGE)
                .await
                .map(|metas| {
                    metas
                        .into_iter()
                        .map(|meta| StoredObject {
                            meta,
                            data: String::new(),
                        })
                        .collect()
                })
        }
        .map_err(CoreError::from)?;
        let Some(last) = page.last() else {
            return Ok(None);
        };
        self.after = last.meta.id;
        Ok(Some(page))
    }
}

/// Whether rendering `selection` on an object needs its text.
fn needs_data(selection: &PropSelection) -> bool {
    match selection {
        PropSelection::Prop(names) => names
            .iter()
            .any(|name| *name == dav::GETCONTENTLENGTH || *name == caldav::CALENDAR_DATA),
        PropSelection::AllProp { .. } | PropSelection::PropName => true,
    }
}
