//! Put, Get and Results of device information (OMA DS Protocol 1.2 §5.1, DevInf 1.2 §4): the
//! device's DevInf is kept with the device (its preferred types choose the item format), and
//! a Get of ours is answered with Results.

use calvault_syncml_proto::{
    Command, Data, DevInf, Item, Location, Meta, Put, Results, StatusCode,
};

use super::Ctx;
use crate::devinf::server_devinf;
use crate::state::DeviceInfo;

pub(super) fn put(ctx: &mut Ctx<'_>, put: &Put) {
    let source = put
        .items
        .first()
        .and_then(|i| i.source.as_ref())
        .map(|s| s.loc_uri.clone());
    let code = match devinf_of(&put.items) {
        Some(devinf) => {
            remember(ctx, devinf);
            StatusCode::OK
        }
        None => StatusCode::UNSUPPORTED_MEDIA_TYPE,
    };
    ctx.answer(
        put.no_resp,
        put.cmd_id,
        "Put",
        None,
        source.as_deref(),
        code,
    );
}

pub(super) fn get(ctx: &mut Ctx<'_>, get: &Put) {
    let target = get
        .items
        .first()
        .and_then(|i| i.target.as_ref())
        .map(|t| t.loc_uri.clone())
        .unwrap_or_default();
    if !target.contains("devinf") {
        ctx.answer(
            get.no_resp,
            get.cmd_id,
            "Get",
            Some(&target),
            None,
            StatusCode::NOT_FOUND,
        );
        return;
    }
    ctx.answer(
        get.no_resp,
        get.cmd_id,
        "Get",
        Some(&target),
        None,
        StatusCode::OK,
    );
    let ver = ctx.reply.ver();
    let dev_id = ctx.reply.hdr.source.loc_uri.clone();
    let devinf_type = ctx.reply.encoding().devinf_type();
    let cmd_id = ctx.reply.cmd_id();
    ctx.reply.push(Command::Results(Results {
        cmd_id,
        msg_ref: Some(ctx.msg_ref),
        cmd_ref: get.cmd_id,
        meta: Some(Meta::with_type(devinf_type)),
        items: vec![Item {
            source: Some(Location::new(target)),
            data: Some(Data::DevInf(Box::new(server_devinf(ver, &dev_id)))),
            ..Item::default()
        }],
        ..Results::default()
    }));
}

pub(super) fn results(ctx: &mut Ctx<'_>, results: &Results) {
    if let Some(devinf) = devinf_of(&results.items) {
        remember(ctx, devinf);
    }
    let source = results
        .items
        .first()
        .and_then(|i| i.source.as_ref())
        .map(|s| s.loc_uri.clone());
    ctx.answer(
        false,
        results.cmd_id,
        "Results",
        None,
        source.as_deref(),
        StatusCode::OK,
    );
}

fn devinf_of(items: &[Item]) -> Option<&DevInf> {
    items.iter().find_map(|item| match &item.data {
        Some(Data::DevInf(devinf)) => Some(devinf.as_ref()),
        _ => None,
    })
}

fn remember(ctx: &mut Ctx<'_>, devinf: &DevInf) {
    let info = DeviceInfo {
        man: devinf.man.clone(),
        model: devinf.mod_.clone(),
        sw_version: devinf.sw_v.clone(),
        rx_pref: devinf
            .data_stores
            .iter()
            .map(|ds| (ds.source_ref.clone(), ds.rx_pref.ct_type.clone()))
            .collect(),
    };
    if ctx.device_state.devinf.as_ref() != Some(&info) {
        ctx.device_state.devinf = Some(info);
        ctx.device_state_dirty = true;
    }
}
