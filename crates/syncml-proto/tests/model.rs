//! Messages built in code encode and decode to themselves in both wire forms.

use calvault_syncml_proto::{
    Alert, AlertCode, Anchor, Chal, Change, Command, Container, Cred, Data, Delete, Encoding, Item,
    Location, Map, MapItem, Meta, Status, StatusCode, Sync, SyncBody, SyncHdr, SyncMl, VerDtd,
    decode, encode, encoded_len,
};

fn message(ver: VerDtd) -> SyncMl {
    let ical = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nSUMMARY:a <b> & ]]> c\r\n\
                END:VEVENT\r\nEND:VCALENDAR\r\n";
    let item = |luid: &str| Item {
        source: Some(Location::new(luid)),
        data: Some(Data::Text(ical.into())),
        ..Item::default()
    };
    SyncMl {
        hdr: SyncHdr {
            ver_dtd: ver,
            ver_proto: ver.ver_proto().into(),
            session_id: "42".into(),
            msg_id: 3,
            target: Location::new("http://calvault.example/syncml"),
            source: Location {
                loc_uri: "IMEI:1234".into(),
                loc_name: Some("alice".into()),
            },
            resp_uri: Some("http://calvault.example/syncml?s=1&t=2".into()),
            no_resp: false,
            cred: Some(Cred {
                meta: Some(Meta {
                    format: Some("b64".into()),
                    ..Meta::with_type("syncml:auth-md5")
                }),
                data: "bG9naW4=".into(),
            }),
            meta: Some(Meta {
                max_msg_size: Some(20_000),
                ..Meta::default()
            }),
        },
        body: SyncBody {
            commands: vec![
                Command::Status(Status {
                    cmd_id: 1,
                    msg_ref: 2,
                    cmd_ref: 0,
                    cmd: "SyncHdr".into(),
                    target_refs: vec!["http://calvault.example/syncml".into()],
                    source_refs: vec!["IMEI:1234".into()],
                    cred: None,
                    chal: Some(Chal {
                        meta: Meta {
                            format: Some("b64".into()),
                            next_nonce: Some("Tm9uY2U=".into()),
                            ..Meta::with_type("syncml:auth-md5")
                        },
                    }),
                    data: StatusCode::AUTHENTICATION_ACCEPTED,
                    items: vec![],
                }),
                Command::Alert(Alert {
                    cmd_id: 2,
                    data: Some(AlertCode::TWO_WAY),
                    items: vec![Item {
                        target: Some(Location::new("./calendar")),
                        source: Some(Location::new("calendar")),
                        meta: Some(Meta {
                            anchor: Some(Anchor {
                                last: Some("1".into()),
                                next: "2".into(),
                            }),
                            ..Meta::default()
                        }),
                        ..Item::default()
                    }],
                    ..Alert::default()
                }),
                Command::Sync(Sync {
                    cmd_id: 3,
                    target: Some(Location::new("calendar")),
                    source: Some(Location::new("./calendar")),
                    number_of_changes: Some(3),
                    commands: vec![
                        Command::Add(Change {
                            cmd_id: 4,
                            meta: Some(Meta::with_type("text/calendar")),
                            items: vec![item("1")],
                            ..Change::default()
                        }),
                        Command::Replace(Change {
                            cmd_id: 5,
                            items: vec![Item {
                                more_data: true,
                                meta: Some(Meta {
                                    size: Some(90_000),
                                    ..Meta::default()
                                }),
                                ..item("2")
                            }],
                            ..Change::default()
                        }),
                        Command::Delete(Delete {
                            cmd_id: 6,
                            sft_del: true,
                            items: vec![Item {
                                source: Some(Location::new("3")),
                                ..Item::default()
                            }],
                            ..Delete::default()
                        }),
                        Command::Atomic(Container {
                            cmd_id: 7,
                            commands: vec![Command::Add(Change {
                                cmd_id: 8,
                                items: vec![Item {
                                    data: Some(Data::Binary(vec![0xFF, 0x00, 0xC3])),
                                    ..item("4")
                                }],
                                ..Change::default()
                            })],
                            ..Container::default()
                        }),
                    ],
                    ..Sync::default()
                }),
                Command::Map(Map {
                    cmd_id: 9,
                    target: Location::new("calendar"),
                    source: Location::new("./calendar"),
                    map_items: vec![MapItem {
                        target: Location::new("srv-1"),
                        source: Location::new("1"),
                    }],
                    ..Map::default()
                }),
            ],
            final_: true,
        },
    }
}

#[test]
fn built_messages_round_trip() {
    for ver in [VerDtd::V1_0, VerDtd::V1_1, VerDtd::V1_2] {
        let msg = message(ver);
        // Binary data cannot travel in XML; compare XML without it.
        let wbxml = encode(&msg, Encoding::Wbxml);
        assert_eq!(wbxml.len(), encoded_len(&msg, Encoding::Wbxml));
        assert_eq!(decode(&wbxml, Encoding::Wbxml).expect("wbxml"), msg);

        let mut text_only = msg.clone();
        if let Command::Sync(sync) = &mut text_only.body.commands[2] {
            sync.commands.pop();
        }
        let xml = encode(&text_only, Encoding::Xml);
        assert_eq!(xml.len(), encoded_len(&text_only, Encoding::Xml));
        assert_eq!(decode(&xml, Encoding::Xml).expect("xml"), text_only);
    }
}

#[test]
fn content_types_select_the_encoding() {
    assert_eq!(
        Encoding::from_content_type("application/vnd.syncml+wbxml"),
        Ok(Encoding::Wbxml)
    );
    assert_eq!(
        Encoding::from_content_type("Application/vnd.syncml+xml; charset=UTF-8"),
        Ok(Encoding::Xml)
    );
    assert!(Encoding::from_content_type("text/xml").is_err());
    assert_eq!(
        Encoding::Wbxml.content_type(),
        "application/vnd.syncml+wbxml"
    );
}

#[test]
fn unknown_commands_are_kept() {
    let xml = b"<SyncML xmlns='SYNCML:SYNCML1.2'><SyncHdr><VerDTD>1.2</VerDTD>\
        <VerProto>SyncML/1.2</VerProto><SessionID>1</SessionID><MsgID>1</MsgID>\
        <Target><LocURI>a</LocURI></Target><Source><LocURI>b</LocURI></Source></SyncHdr>\
        <SyncBody><Exec><CmdID>1</CmdID><Item><Target><LocURI>x</LocURI></Target></Item></Exec>\
        <Final/></SyncBody></SyncML>";
    let msg = decode(xml, Encoding::Xml).expect("parses");
    assert_eq!(msg.body.commands[0].name(), "Exec");
    assert_eq!(msg.body.commands[0].cmd_id(), Some(1));
    for encoding in [Encoding::Xml, Encoding::Wbxml] {
        assert_eq!(
            decode(&encode(&msg, encoding), encoding).expect("again"),
            msg
        );
    }
}
