//! Building a reply message: Status for the client's commands first, then the server's own
//! commands while they fit the client's MaxMsgSize (OMA DS Protocol 1.2 §5.7, multiple
//! messages in a package; §6.4, large objects split into chunks).

use calvault_syncml_proto::{
    Command, Encoding, Item, Location, Meta, Status, StatusCode, SyncBody, SyncHdr, SyncMl, VerDtd,
    command_encoded_len, encoded_len,
};

/// Bytes kept free in every message: WBXML code page switches and the closing of SyncBody.
const SAFETY_MARGIN: usize = 256;

/// The reply being built.
pub struct Reply {
    pub hdr: SyncHdr,
    pub commands: Vec<Command>,
    pub final_: bool,
    next_cmd_id: u32,
    encoding: Encoding,
    /// The client's MaxMsgSize; None: no limit.
    max_size: Option<usize>,
}

impl Reply {
    pub fn new(hdr: SyncHdr, encoding: Encoding, max_size: Option<u64>) -> Self {
        Reply {
            hdr,
            commands: Vec::new(),
            final_: false,
            next_cmd_id: 1,
            encoding,
            max_size: max_size.map(|m| m as usize),
        }
    }

    pub fn ver(&self) -> VerDtd {
        self.hdr.ver_dtd
    }

    pub fn encoding(&self) -> Encoding {
        self.encoding
    }

    /// The next CmdID of this message (RepPro §5.1.5: unique within the message).
    pub fn cmd_id(&mut self) -> u32 {
        let id = self.next_cmd_id;
        self.next_cmd_id += 1;
        id
    }

    /// A Status answering command `cmd_ref` of message `msg_ref`.
    #[allow(clippy::too_many_arguments)]
    pub fn status(
        &mut self,
        msg_ref: u32,
        cmd_ref: u32,
        cmd: &str,
        target_ref: Option<&str>,
        source_ref: Option<&str>,
        code: StatusCode,
    ) -> &mut Status {
        let status = Status {
            cmd_id: self.cmd_id(),
            msg_ref,
            cmd_ref,
            cmd: cmd.to_string(),
            target_refs: target_ref.map(str::to_string).into_iter().collect(),
            source_refs: source_ref.map(str::to_string).into_iter().collect(),
            cred: None,
            chal: None,
            data: code,
            items: Vec::new(),
        };
        self.commands.push(Command::Status(status));
        match self.commands.last_mut() {
            Some(Command::Status(status)) => status,
            _ => unreachable!("a Status was just pushed"),
        }
    }

    pub fn push(&mut self, command: Command) {
        self.commands.push(command);
    }

    pub fn message(&self) -> SyncMl {
        SyncMl {
            hdr: self.hdr.clone(),
            body: SyncBody {
                commands: self.commands.clone(),
                final_: self.final_,
            },
        }
    }

    /// The size of the message as it stands, with Final.
    pub fn size(&self) -> usize {
        let mut msg = self.message();
        msg.body.final_ = true;
        encoded_len(&msg, self.encoding)
    }

    pub fn command_size(&self, command: &Command) -> usize {
        command_encoded_len(command, self.hdr.ver_dtd, self.encoding)
    }

    /// The bytes still free below the client's MaxMsgSize (None: no limit).
    pub fn room(&self, used: usize) -> Option<usize> {
        self.max_size
            .map(|max| max.saturating_sub(used).saturating_sub(SAFETY_MARGIN))
    }
}

/// An item of a server change.
pub fn item(target: Option<&str>, source: Option<&str>, data: Option<String>) -> Item {
    Item {
        target: target.map(Location::new),
        source: source.map(Location::new),
        data: data.map(calvault_syncml_proto::Data::Text),
        ..Item::default()
    }
}

/// The Meta of an item type.
pub fn type_meta(mime: &str) -> Meta {
    Meta::with_type(mime)
}

/// The largest prefix of `text[from..]` of at most `max` bytes ending on a character boundary.
pub fn chunk_end(text: &str, from: usize, max: usize) -> usize {
    let mut end = (from + max.max(1)).min(text.len());
    while end > from && !text.is_char_boundary(end) {
        end -= 1;
    }
    if end == from {
        // A single character wider than `max`: send it whole.
        end = from + 1;
        while end < text.len() && !text.is_char_boundary(end) {
            end += 1;
        }
    }
    end
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_end_on_character_boundaries() {
        let text = "aé€b";
        assert_eq!(chunk_end(text, 0, 2), 1);
        assert_eq!(chunk_end(text, 1, 2), 3);
        assert_eq!(chunk_end(text, 3, 1), 6);
        assert_eq!(chunk_end(text, 6, 10), 7);
    }
}
