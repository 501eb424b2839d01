//! AWS's XML answers (EC2 and STS), written with quick-xml, which escapes
//! every text a user wrote.

use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::Writer;

/// EC2's namespace, API version 2016-11-15.
pub const EC2_NS: &str = "http://ec2.amazonaws.com/doc/2016-11-15/";
/// STS's namespace.
pub const STS_NS: &str = "https://sts.amazonaws.com/doc/2011-06-15/";

/// An XML document being written.
pub struct Xml {
    w: Writer<Vec<u8>>,
}

impl Xml {
    /// A document whose root element is `root` in namespace `ns`.
    pub fn new(root: &str, ns: Option<&str>) -> Xml {
        let mut w = Writer::new(Vec::new());
        // Writing to memory cannot fail.
        let _ = w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)));
        let mut start = BytesStart::new(root);
        if let Some(ns) = ns {
            start.push_attribute(("xmlns", ns));
        }
        let _ = w.write_event(Event::Start(start));
        Xml { w }
    }

    /// Opens element `name`.
    pub fn open(&mut self, name: &str) -> &mut Xml {
        let _ = self.w.write_event(Event::Start(BytesStart::new(name)));
        self
    }

    /// Closes element `name`.
    pub fn close(&mut self, name: &str) -> &mut Xml {
        let _ = self.w.write_event(Event::End(BytesEnd::new(name)));
        self
    }

    /// `<name>text</name>`.
    pub fn text(&mut self, name: &str, text: &str) -> &mut Xml {
        self.open(name);
        let _ = self.w.write_event(Event::Text(BytesText::new(text)));
        self.close(name)
    }

    /// `<name>text</name>` when there is a text.
    pub fn opt(&mut self, name: &str, text: Option<&str>) -> &mut Xml {
        if let Some(t) = text {
            self.text(name, t);
        }
        self
    }

    /// `<name>true</name>` or `false`.
    pub fn bool(&mut self, name: &str, value: bool) -> &mut Xml {
        self.text(name, if value { "true" } else { "false" })
    }

    /// Closes the root element `root` and returns the document.
    pub fn finish(mut self, root: &str) -> Vec<u8> {
        self.close(root);
        self.w.into_inner()
    }
}

#[cfg(test)]
mod tests {
    use super::Xml;

    #[test]
    fn text_is_escaped() {
        let mut x = Xml::new("R", Some("urn:x"));
        x.text("d", "<script>&\"");
        let doc = String::from_utf8(x.finish("R")).unwrap();
        assert!(doc.contains("<d>&lt;script&gt;&amp;&quot;</d>"), "{doc}");
        assert!(
            doc.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?><R xmlns=\"urn:x\">"),
            "{doc}"
        );
    }
}
