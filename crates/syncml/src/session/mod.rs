//! The session state machine: one client message in, one reply out. Each command has its own
//! module; this one finds or starts the session, runs the commands in order and saves the
//! state together with the reply (so a resent message is answered from it, never applied
//! twice).

mod alert;
mod atomic;
mod conflict;
mod deletions;
mod finish;
mod items;
mod map;
mod put_get;
mod resume;
mod sequence;
mod server_sync;
mod status;
mod sync;

use std::collections::HashMap;

use calvault_core::store::{
    Calendar, Device, NewSyncmlSession, StoredObject, SyncmlMapping, SyncmlReply, SyncmlSession,
};
use calvault_core::{Actor, Client, Vault, now};
use calvault_syncml_proto::{
    Command, Encoding, Location, Meta, StatusCode, SyncHdr, SyncMl, decode, encode,
};
use rand::Rng;

use crate::SyncmlConfig;
use crate::auth::{self, AuthOutcome};
use crate::error::{Result, SyncmlError};
use crate::package::Reply;
use crate::state::{DeviceState, SessionState, Stage};

/// One HTTP request to the SyncML endpoint.
pub struct Request<'a> {
    pub body: &'a [u8],
    pub content_type: &'a str,
    /// The `sessionid` of the RespURI the client posted to.
    pub session_id: Option<&'a str>,
    /// The endpoint's absolute URL, for RespURI: `http://host:port/syncml`.
    pub endpoint: &'a str,
    /// The client's address, for the login throttle.
    pub client: &'a str,
}

/// The HTTP body to answer with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub content_type: String,
    pub body: Vec<u8>,
}

/// The SyncML server.
#[derive(Clone)]
pub struct Engine {
    vault: Vault,
    config: SyncmlConfig,
}

/// What handling one message works on.
pub(crate) struct Ctx<'a> {
    pub vault: &'a Vault,
    /// The server's id of this session.
    pub session_id: String,
    /// The client sent Suspend (Alert 224): the session ends with this message.
    pub suspend_requested: bool,
    pub config: &'a SyncmlConfig,
    pub state: SessionState,
    pub device: Device,
    pub device_state: DeviceState,
    pub device_state_dirty: bool,
    /// The client's MsgID: what our Statuses reference.
    pub msg_ref: u32,
    pub reply: Reply,
    calendars: HashMap<i64, Calendar>,
    /// LUID maps of the items received in this message, as (datastore, mapping): written in
    /// one transaction before any other command reads the maps (a transaction per item
    /// cost more than storing the item).
    pending_maps: Vec<(String, SyncmlMapping)>,
    /// Objects about to be sent, read ahead of the queue by UID (see
    /// `server_sync::object_to_send`).
    prefetched: HashMap<String, StoredObject>,
    /// Inside an Atomic: the objects written so far, to put back if it fails.
    pub undo: Option<Vec<atomic::Undo>>,
    /// Items of this message waiting to be written together (see `flush_writes`).
    pending_writes: Vec<items::PendingWrite>,
}

impl Ctx<'_> {
    /// The UID a LUID maps to: from this message's items first (not written yet), else from
    /// the store.
    pub async fn uid_of_luid(&self, datastore: &str, luid: &str) -> Result<Option<String>> {
        let pending = self
            .pending_maps
            .iter()
            .rev()
            .find(|(d, m)| d == datastore && m.luid == luid);
        if let Some((_, mapping)) = pending {
            return Ok(Some(mapping.uid.clone()));
        }
        Ok(self
            .vault
            .syncml_store()
            .syncml_uid_of_luid(self.device.id, datastore, luid)
            .await?)
    }

    /// Whether an item of this message, not yet in the maps, stands for this UID.
    pub fn pending_maps_uid(&self, datastore: &str, uid: &str) -> bool {
        self.pending_maps
            .iter()
            .any(|(d, m)| d == datastore && m.uid == uid)
    }

    pub fn remember_map(&mut self, datastore: &str, mapping: SyncmlMapping) {
        self.pending_maps.push((datastore.to_string(), mapping));
    }

    /// Writes the items received so far, then their maps, one transaction per datastore.
    pub async fn flush_maps(&mut self) -> Result<()> {
        self.flush_writes().await?;
        let pending = std::mem::take(&mut self.pending_maps);
        let mut datastores: Vec<&str> = pending.iter().map(|(d, _)| d.as_str()).collect();
        datastores.sort_unstable();
        datastores.dedup();
        for datastore in datastores {
            let maps: Vec<SyncmlMapping> = pending
                .iter()
                .filter(|(d, _)| d == datastore)
                .map(|(_, m)| m.clone())
                .collect();
            self.vault
                .syncml_store()
                .put_syncml_maps(self.device.id, datastore, &maps)
                .await?;
        }
        Ok(())
    }

    pub fn actor(&self) -> Actor {
        Actor::User(self.state.user_id)
    }

    pub fn client(&self) -> Client {
        Client::device("syncml", &self.device)
    }

    pub async fn calendar(&mut self, id: i64) -> Result<Calendar> {
        if let Some(calendar) = self.calendars.get(&id) {
            return Ok(calendar.clone());
        }
        let calendar = self
            .vault
            .store()
            .calendar(id)
            .await?
            .ok_or_else(|| SyncmlError::UnknownDatastore(format!("calendar {id}")))?;
        self.calendars.insert(id, calendar.clone());
        Ok(calendar)
    }

    /// Status for a command, unless it asked for none (NoResp).
    pub fn answer(
        &mut self,
        no_resp: bool,
        cmd_ref: u32,
        cmd: &str,
        target_ref: Option<&str>,
        source_ref: Option<&str>,
        code: StatusCode,
    ) {
        if !no_resp {
            self.reply
                .status(self.msg_ref, cmd_ref, cmd, target_ref, source_ref, code);
        }
    }
}

impl Engine {
    pub fn new(vault: Vault, config: SyncmlConfig) -> Self {
        Engine { vault, config }
    }

    /// Handles one message. Errors are for messages that cannot be read at all; everything
    /// else is answered inside SyncML with Status codes.
    pub async fn handle(&self, request: Request<'_>) -> Result<Response> {
        let encoding = Encoding::from_content_type(request.content_type)?;
        let msg = decode(request.body, encoding)?;
        if let Some(session) = self.find_session(&request, &msg).await? {
            let msg_id = i64::from(msg.hdr.msg_id);
            if session.last_msg_id == Some(msg_id)
                && let Some(reply) = self.vault.syncml_store().syncml_reply(&session.id).await?
                && reply.msg_id == msg_id
            {
                tracing::info!(session = %session.id, msg = msg.hdr.msg_id, "syncml resent message answered from the cache");
                return Ok(Response {
                    content_type: reply.content_type,
                    body: reply.body,
                });
            }
            // MsgID 1 opens a session (SyncML RepPro: MsgIDs count from 1): a client killed
            // and started again may reuse its SessionID, and must not land in what is left of
            // the old session.
            let started_over = msg.hdr.msg_id == 1 && session.last_msg_id.is_some();
            let state: SessionState = serde_json::from_str(&session.state)?;
            if state.stage != Stage::Done && !started_over {
                return self.continue_session(session, state, msg, encoding).await;
            }
        }
        self.start_session(msg, encoding, &request).await
    }

    async fn find_session(
        &self,
        request: &Request<'_>,
        msg: &SyncMl,
    ) -> Result<Option<SyncmlSession>> {
        let store = self.vault.syncml_store();
        let session = match request.session_id {
            Some(id) => store.syncml_session(id).await?,
            None => {
                store
                    .syncml_session_of_client(&msg.hdr.source.loc_uri, &msg.hdr.session_id)
                    .await?
            }
        };
        Ok(session.filter(|s| {
            s.expires_at > now()
                && s.client_uri == msg.hdr.source.loc_uri
                && s.client_session == msg.hdr.session_id
        }))
    }

    async fn start_session(
        &self,
        msg: SyncMl,
        encoding: Encoding,
        request: &Request<'_>,
    ) -> Result<Response> {
        let outcome = auth::authenticate(&self.vault, &msg.hdr, request.client).await?;
        let authenticated = match outcome {
            AuthOutcome::Accepted(authenticated) => authenticated,
            AuthOutcome::Rejected { status, next_nonce } => {
                return Ok(self.refuse(&msg, encoding, status, &next_nonce));
            }
        };
        let store = self.vault.syncml_store();
        let expired = store.expire_syncml_sessions(now()).await?;
        if expired > 0 {
            tracing::debug!(expired, "syncml sessions expired");
        }
        let id = hex::encode(rand::rng().random::<[u8; 16]>());
        let state = SessionState {
            ver_dtd: msg.hdr.ver_dtd.as_str().to_string(),
            wbxml: encoding == Encoding::Wbxml,
            user_id: authenticated.user.id,
            user: authenticated.user.name.clone(),
            device_id: authenticated.device.id,
            stage: Stage::Init,
            server_msg_id: 0,
            client_max_msg_size: None,
            client_max_obj_size: None,
            datastores: Vec::new(),
            incoming: None,
            outgoing: None,
            next_nonce: Some(authenticated.next_nonce.clone()),
        };
        let session = store
            .create_syncml_session(NewSyncmlSession {
                id: id.clone(),
                user_id: authenticated.user.id,
                device_id: authenticated.device.id,
                client_uri: msg.hdr.source.loc_uri.clone(),
                client_session: msg.hdr.session_id.clone(),
                state: serde_json::to_string(&state)?,
                created_at: now(),
                expires_at: now() + self.config.session_ttl_secs,
            })
            .await?;
        tracing::info!(session = %id, user = %authenticated.user.name, device = %authenticated.device.key, "syncml session started");
        let resp_uri = format!("{}?sessionid={id}", request.endpoint);
        self.run(
            session,
            state,
            msg,
            encoding,
            Some(resp_uri),
            authenticated.status,
        )
        .await
    }

    async fn continue_session(
        &self,
        session: SyncmlSession,
        mut state: SessionState,
        msg: SyncMl,
        encoding: Encoding,
    ) -> Result<Response> {
        // A new message from the client: it has our last reply, and its Statuses answer the
        // changes we sent in it.
        for ds in &mut state.datastores {
            ds.in_flight.clear();
        }
        self.run(session, state, msg, encoding, None, StatusCode::OK)
            .await
    }

    /// Runs the commands of one message and saves the session with the reply.
    async fn run(
        &self,
        session: SyncmlSession,
        mut state: SessionState,
        msg: SyncMl,
        encoding: Encoding,
        resp_uri: Option<String>,
        hdr_status: StatusCode,
    ) -> Result<Response> {
        let device = self
            .vault
            .device(session.device_id)
            .await?
            .ok_or_else(|| SyncmlError::UnknownItem(format!("device {}", session.device_id)))?;
        if let Some(meta) = &msg.hdr.meta {
            if meta.max_msg_size.is_some() {
                state.client_max_msg_size = meta.max_msg_size;
            }
            if meta.max_obj_size.is_some() {
                state.client_max_obj_size = meta.max_obj_size;
            }
        }
        state.server_msg_id += 1;
        let hdr = self.reply_hdr(&msg.hdr, state.server_msg_id, resp_uri);
        let reply = Reply::new(hdr, encoding, state.client_max_msg_size);
        let device_state = DeviceState::from_json(&device.state);
        let mut ctx = Ctx {
            vault: &self.vault,
            session_id: session.id.clone(),
            suspend_requested: false,
            config: &self.config,
            state,
            device,
            device_state,
            device_state_dirty: false,
            msg_ref: msg.hdr.msg_id,
            reply,
            calendars: HashMap::new(),
            pending_maps: Vec::new(),
            prefetched: HashMap::new(),
            undo: None,
            pending_writes: Vec::new(),
        };
        let hdr_chal = (hdr_status == StatusCode::AUTHENTICATION_ACCEPTED)
            .then(|| ctx.state.next_nonce.as_deref().map(auth::chal))
            .flatten();
        let status = ctx.reply.status(
            msg.hdr.msg_id,
            0,
            "SyncHdr",
            Some(&msg.hdr.target.loc_uri),
            Some(&msg.hdr.source.loc_uri),
            hdr_status,
        );
        status.chal = hdr_chal;

        for command in &msg.body.commands {
            if !matches!(command, Command::Sync(_)) {
                ctx.flush_maps().await?;
            }
            dispatch(&mut ctx, command).await?;
        }
        ctx.flush_maps().await?;
        if ctx.suspend_requested {
            resume::suspend(&mut ctx);
            ctx.reply.final_ = true;
        } else {
            if msg.body.final_ {
                on_client_final(&mut ctx).await?;
            }
            let pending = server_sync::emit(&mut ctx).await?;
            ctx.reply.final_ = match ctx.state.stage {
                Stage::ServerSync if !pending => {
                    ctx.state.stage = Stage::Mapping;
                    true
                }
                Stage::ServerSync => false,
                _ => msg.body.final_ && ctx.state.incoming.is_none(),
            };
        }
        if ctx.device_state_dirty {
            self.vault
                .save_device_state(ctx.device.id, &ctx.device_state.to_json(), false)
                .await?;
        }
        let body = encode(&ctx.reply.message(), encoding);
        let reply = SyncmlReply {
            msg_id: i64::from(msg.hdr.msg_id),
            content_type: encoding.content_type().to_string(),
            body,
        };
        self.vault
            .syncml_store()
            .save_syncml_session(
                &session.id,
                &serde_json::to_string(&ctx.state)?,
                &reply,
                now(),
                now() + self.config.session_ttl_secs,
            )
            .await?;
        Ok(Response {
            content_type: reply.content_type,
            body: reply.body,
        })
    }

    /// The reply to a message whose credentials were refused: the SyncHdr and every command get
    /// `status` (401 or 407), the SyncHdr's with a Chal for auth-md5 (RepPro §6.6.4).
    fn refuse(
        &self,
        msg: &SyncMl,
        encoding: Encoding,
        status: StatusCode,
        nonce: &str,
    ) -> Response {
        let hdr = self.reply_hdr(&msg.hdr, msg.hdr.msg_id, None);
        let mut reply = Reply::new(hdr, encoding, None);
        let hdr_status = reply.status(
            msg.hdr.msg_id,
            0,
            "SyncHdr",
            Some(&msg.hdr.target.loc_uri),
            Some(&msg.hdr.source.loc_uri),
            status,
        );
        hdr_status.chal = Some(auth::chal(nonce));
        for command in &msg.body.commands {
            if matches!(command, Command::Status(_)) {
                continue;
            }
            let cmd_ref = command.cmd_id().unwrap_or(0);
            reply.status(msg.hdr.msg_id, cmd_ref, command.name(), None, None, status);
        }
        reply.final_ = true;
        Response {
            content_type: encoding.content_type().to_string(),
            body: encode(&reply.message(), encoding),
        }
    }

    fn reply_hdr(&self, hdr: &SyncHdr, msg_id: u32, resp_uri: Option<String>) -> SyncHdr {
        SyncHdr {
            ver_dtd: hdr.ver_dtd,
            ver_proto: hdr.ver_dtd.ver_proto().to_string(),
            session_id: hdr.session_id.clone(),
            msg_id,
            target: hdr.source.clone(),
            source: Location::new(hdr.target.loc_uri.clone()),
            resp_uri,
            no_resp: false,
            cred: None,
            meta: Some(Meta {
                max_msg_size: Some(self.config.max_msg_size),
                max_obj_size: Some(self.config.max_obj_size),
                ..Meta::default()
            }),
        }
    }
}

async fn dispatch(ctx: &mut Ctx<'_>, command: &Command) -> Result<()> {
    match command {
        Command::Status(status) => status::handle(ctx, status),
        Command::Alert(alert) => alert::handle(ctx, alert).await?,
        Command::Put(put) => put_get::put(ctx, put),
        Command::Get(get) => put_get::get(ctx, get),
        Command::Results(results) => put_get::results(ctx, results),
        Command::Sync(sync) => sync::handle(ctx, sync).await?,
        Command::Map(map) => map::handle(ctx, map).await?,
        Command::Sequence(sequence) => {
            // RepPro 1.2 §6.6.14: a Sequence in the SyncBody runs its commands in the order
            // given, each dispatched and answered as if it stood alone in the body.
            ctx.answer(
                sequence.no_resp,
                sequence.cmd_id,
                "Sequence",
                None,
                None,
                StatusCode::OK,
            );
            for inner in &sequence.commands {
                if !matches!(inner, Command::Sync(_)) {
                    ctx.flush_maps().await?;
                }
                Box::pin(dispatch(ctx, inner)).await?;
            }
        }
        other => {
            // Exec, Search, and changes outside a Sync are not offered (our DevInf announces
            // none of them); nor is an Atomic around a Sync (all or nothing across whole
            // datastores; inside a Sync it is: see `sync`).
            let cmd_ref = other.cmd_id().unwrap_or(0);
            ctx.answer(
                false,
                cmd_ref,
                other.name(),
                None,
                None,
                StatusCode::OPTIONAL_FEATURE_NOT_SUPPORTED,
            );
        }
    }
    Ok(())
}

/// The client's message closed its package (`<Final/>`): move to the next package.
async fn on_client_final(ctx: &mut Ctx<'_>) -> Result<()> {
    if ctx.state.incoming.is_some() {
        // A large object is still arriving: the package goes on.
        return Ok(());
    }
    match ctx.state.stage {
        Stage::Init if ctx.state.datastores.is_empty() => {
            ctx.state.stage = Stage::Done;
        }
        Stage::Init => ctx.state.stage = Stage::ClientSync,
        Stage::ClientSync => {
            for index in 0..ctx.state.datastores.len() {
                deletions::apply(ctx, index).await?;
                // A resumed sync whose server changes were worked out already keeps them.
                if !ctx.state.datastores[index].queue_ready {
                    server_sync::prepare(ctx, index).await?;
                }
            }
            ctx.state.stage = Stage::ServerSync;
        }
        Stage::ServerSync => {}
        Stage::Mapping => finish::complete(ctx).await?,
        Stage::Done => {}
    }
    Ok(())
}
