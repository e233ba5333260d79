//! Writing vCalendar 1.0 properties: CHARSET and QUOTED-PRINTABLE as the options ask, soft
//! line breaks (RFC 2045 §6.7 rule 5) every 76 characters at most.

use super::qp::{self, Charset};
use super::{QuotedPrintable, VcalOptions};

pub(crate) struct VcalWriter<'a> {
    out: String,
    options: &'a VcalOptions,
}

impl<'a> VcalWriter<'a> {
    pub(crate) fn new(options: &'a VcalOptions) -> Self {
        VcalWriter {
            out: String::with_capacity(1024),
            options,
        }
    }

    /// A line written as is (BEGIN, END, values known to be ASCII).
    pub(crate) fn raw(&mut self, line: &str) {
        self.out.push_str(line);
        self.out.push_str("\r\n");
    }

    /// `NAME;params:value` where `value` is already vCalendar text (fields escaped) and
    /// may hold line breaks and any character; `params` is `;A=b` or empty.
    pub(crate) fn property(&mut self, name: &str, params: &str, value: &str) {
        let multi_line = value.contains('\n');
        let ascii = value.is_ascii();
        let charset = self.options.charset;
        let use_qp = match self.options.quoted_printable {
            QuotedPrintable::Never => false,
            QuotedPrintable::LineBreaks => multi_line || (!ascii && charset != Charset::Utf8),
            QuotedPrintable::LineBreaksAndNonAscii => multi_line || !ascii,
        };
        let mut head = format!("{name}{params}");
        if !ascii {
            head.push_str(&format!(";CHARSET={}", charset.name()));
        }
        if use_qp {
            head.push_str(";ENCODING=QUOTED-PRINTABLE");
            let text = value.replace("\r\n", "\n").replace('\n', "\r\n");
            let encoded = qp::encode(&charset.encode(&text));
            self.soft_broken(&head, &encoded);
            return;
        }
        // Without QUOTED-PRINTABLE a line break can only be the iCalendar-style escape.
        let value = value.replace("\r\n", "\n").replace('\n', "\\n");
        let value = match charset {
            Charset::Utf8 => value,
            other => other.decode(&other.encode(&value)),
        };
        self.out.push_str(&head);
        self.out.push(':');
        self.out.push_str(&value);
        self.out.push_str("\r\n");
    }

    /// Writes `head:encoded` with `=` soft line breaks, never inside an `=XX` escape.
    fn soft_broken(&mut self, head: &str, encoded: &str) {
        const WIDTH: usize = 75;
        self.out.push_str(head);
        self.out.push(':');
        let mut column = head.len() + 1;
        let bytes = encoded.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let unit = if bytes[i] == b'=' { 3 } else { 1 };
            if column + unit > WIDTH {
                self.out.push_str("=\r\n");
                column = 0;
            }
            self.out.push_str(&encoded[i..(i + unit).min(bytes.len())]);
            column += unit;
            i += unit;
        }
        self.out.push_str("\r\n");
    }

    pub(crate) fn finish(self) -> String {
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vcal::read::read_calendars;

    #[test]
    fn line_breaks_go_quoted_printable_and_read_back() {
        let options = VcalOptions::default();
        let mut writer = VcalWriter::new(&options);
        writer.raw("BEGIN:VCALENDAR");
        let long = format!("Agenda:\n1. {}\n2. Grüße", "x".repeat(120));
        writer.property("DESCRIPTION", "", &long);
        writer.property("SUMMARY", "", "Grüße");
        writer.raw("END:VCALENDAR");
        let text = writer.finish();
        assert!(
            text.contains("DESCRIPTION;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Agenda:=0D=0A1.")
        );
        assert!(text.contains("SUMMARY;CHARSET=UTF-8:Grüße\r\n"));
        assert!(text.lines().all(|l| l.len() <= 76));
        let calendar = &read_calendars(&text).expect("reads")[0];
        let description = calendar.property("DESCRIPTION").expect("kept");
        assert_eq!(description.value.replace("\r\n", "\n"), long);
    }

    #[test]
    fn latin1_output_stays_ascii() {
        let options = VcalOptions {
            charset: Charset::Latin1,
            ..VcalOptions::default()
        };
        let mut writer = VcalWriter::new(&options);
        writer.property("SUMMARY", "", "Grüße");
        assert_eq!(
            writer.finish(),
            "SUMMARY;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:Gr=FC=DFe\r\n"
        );
    }
}
