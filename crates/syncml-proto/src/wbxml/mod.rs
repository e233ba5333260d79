//! WBXML (WAP-192-WBXML 1.1–1.3) for SyncML: header, string table, tokens, code pages.

pub mod codepage;
pub mod decode;
pub mod encode;

pub use codepage::DocKind;

/// Global tokens, WBXML 1.3 §7.1.
pub(crate) mod token {
    pub const SWITCH_PAGE: u8 = 0x00;
    pub const END: u8 = 0x01;
    pub const ENTITY: u8 = 0x02;
    pub const STR_I: u8 = 0x03;
    pub const LITERAL: u8 = 0x04;
    pub const EXT_I_0: u8 = 0x40;
    pub const EXT_I_2: u8 = 0x42;
    pub const PI: u8 = 0x43;
    pub const LITERAL_C: u8 = 0x44;
    pub const EXT_T_0: u8 = 0x80;
    pub const EXT_T_2: u8 = 0x82;
    pub const STR_T: u8 = 0x83;
    pub const LITERAL_A: u8 = 0x84;
    pub const EXT_0: u8 = 0xC0;
    pub const EXT_2: u8 = 0xC2;
    pub const OPAQUE: u8 = 0xC3;
    pub const LITERAL_AC: u8 = 0xC4;
    /// Tag bit 7: attributes follow (§5.8.2).
    pub const HAS_ATTRS: u8 = 0x80;
    /// Tag bit 6: content follows (§5.8.2).
    pub const HAS_CONTENT: u8 = 0x40;
    /// MIBenum of UTF-8.
    pub const CHARSET_UTF8: u32 = 106;
}
