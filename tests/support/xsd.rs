//! An XML Schema validator for the subset of XSD that `tests/fixtures/junit/junit.xsd`
//! uses, so `cargo test` checks JUnit reports against the very file CI hands to
//! `xmllint`, without that program. Reading the schema refuses any construct outside the
//! subset, so a schema that grows cannot be half-understood and pass everything.
//!
//! The subset: global `element`, named `complexType` and `simpleType`; content models of
//! `sequence`, `choice` and local `element` with `minOccurs`/`maxOccurs`; `mixed`;
//! attributes of type `xs:string` or a `simpleType` restricting `xs:string` by
//! `pattern`, `use="required"`. No namespaces in instance documents.

#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use regex::Regex;

/// An element of a parsed document: its name, attributes, text and children.
#[derive(Debug, Clone)]
pub struct Node {
    pub name: String,
    pub attributes: Vec<(String, String)>,
    /// The element's own text (and CDATA), its children's text excluded.
    pub text: String,
    pub children: Vec<Node>,
    /// 1-based line of the start tag.
    pub line: usize,
}

impl Node {
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> {
        self.children.iter().filter(move |c| c.name == name)
    }
}

/// Parses a whole document into its root element; an error says what is not well-formed.
pub fn parse(xml: &str) -> Result<Node, String> {
    let mut reader = Reader::from_str(xml);
    reader.config_mut().check_end_names = true;
    let line_at = |offset: u64| {
        let end = usize::try_from(offset).unwrap_or(xml.len()).min(xml.len());
        xml[..end].matches('\n').count() + 1
    };
    let mut open: Vec<Node> = Vec::new();
    let mut root: Option<Node> = None;
    loop {
        let before = reader.buffer_position();
        let event = reader
            .read_event()
            .map_err(|e| format!("line {}: not well-formed XML: {e}", line_at(before)))?;
        let line = line_at(before);
        match event {
            Event::Start(start) => open.push(element(&start, line)?),
            Event::Empty(start) => {
                let node = element(&start, line)?;
                close(node, &mut open, &mut root, line)?;
            }
            Event::End(_) => {
                let node = open
                    .pop()
                    .ok_or_else(|| format!("line {line}: end tag without a start tag"))?;
                close(node, &mut open, &mut root, line)?;
            }
            Event::Text(text) => {
                let text = text
                    .xml10_content()
                    .map_err(|e| format!("line {line}: undecodable text: {e}"))?;
                own_text(&mut open, &text, line)?;
            }
            Event::CData(data) => {
                let text = data
                    .xml10_content()
                    .map_err(|e| format!("line {line}: undecodable CDATA: {e}"))?;
                own_text(&mut open, &text, line)?;
            }
            Event::GeneralRef(reference) => {
                let entity = format!(
                    "&{};",
                    reference
                        .decode()
                        .map_err(|e| format!("line {line}: undecodable reference: {e}"))?
                );
                let text = quick_xml::escape::unescape(&entity)
                    .map_err(|e| format!("line {line}: {e}"))?;
                own_text(&mut open, &text, line)?;
            }
            Event::DocType(_) => return Err(format!("line {line}: a DOCTYPE is not expected")),
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
            Event::Eof => break,
        }
    }
    if let Some(unclosed) = open.last() {
        return Err(format!(
            "<{}> opened on line {} is never closed",
            unclosed.name, unclosed.line
        ));
    }
    root.ok_or_else(|| "no root element".to_owned())
}

fn element(start: &BytesStart, line: usize) -> Result<Node, String> {
    let name = String::from_utf8_lossy(start.name().as_ref()).into_owned();
    let mut attributes = Vec::new();
    for attribute in start.attributes() {
        let attribute = attribute.map_err(|e| format!("line {line}: <{name}>: {e}"))?;
        let key = String::from_utf8_lossy(attribute.key.as_ref()).into_owned();
        let value = attribute
            .normalized_value(quick_xml::XmlVersion::Explicit1_0)
            .map_err(|e| format!("line {line}: <{name}> @{key}: {e}"))?
            .into_owned();
        attributes.push((key, value));
    }
    Ok(Node {
        name,
        attributes,
        text: String::new(),
        children: Vec::new(),
        line,
    })
}

fn close(
    node: Node,
    open: &mut [Node],
    root: &mut Option<Node>,
    line: usize,
) -> Result<(), String> {
    match open.last_mut() {
        Some(parent) => parent.children.push(node),
        None if root.is_none() => *root = Some(node),
        None => {
            return Err(format!(
                "line {line}: a second root element <{}>",
                node.name
            ));
        }
    }
    Ok(())
}

fn own_text(open: &mut [Node], text: &str, line: usize) -> Result<(), String> {
    match open.last_mut() {
        Some(parent) => parent.text.push_str(text),
        None if text.trim().is_empty() => {}
        None => return Err(format!("line {line}: text outside the root element")),
    }
    Ok(())
}

/// A schema read from XSD text.
#[derive(Debug)]
pub struct Schema {
    /// Global element declarations: the roots a document may have.
    roots: BTreeMap<String, TypeRef>,
    complex: BTreeMap<String, Complex>,
    simple: BTreeMap<String, Simple>,
}

#[derive(Debug, Clone)]
enum TypeRef {
    /// `xs:string`: any text, no attributes, no child elements.
    String,
    Named(String),
    Anonymous(Box<Complex>),
}

#[derive(Debug, Clone)]
struct Complex {
    mixed: bool,
    content: Option<Particle>,
    attributes: BTreeMap<String, Attribute>,
}

#[derive(Debug, Clone)]
struct Attribute {
    /// None for `xs:string`.
    simple: Option<String>,
    required: bool,
}

/// A `simpleType` restricting `xs:string`: the value must match one of the patterns.
#[derive(Debug, Clone)]
struct Simple {
    patterns: Vec<Regex>,
}

#[derive(Debug, Clone)]
struct Particle {
    term: Term,
    min: usize,
    /// None for `unbounded`.
    max: Option<usize>,
}

#[derive(Debug, Clone)]
enum Term {
    Element { name: String, ty: TypeRef },
    Sequence(Vec<Particle>),
    Choice(Vec<Particle>),
}

const XS: &str = "http://www.w3.org/2001/XMLSchema";

impl Schema {
    /// Reads XSD text; anything outside the supported subset is an error.
    pub fn read(xsd: &str) -> Result<Schema, String> {
        let root = parse(xsd)?;
        if root.name != "xs:schema" || root.attribute("xmlns:xs") != Some(XS) {
            return Err("the root must be <xs:schema> with xmlns:xs bound to XML Schema".into());
        }
        only_attributes(&root, &["xmlns:xs", "elementFormDefault"])?;
        if root.attribute("elementFormDefault").unwrap_or("qualified") != "qualified" {
            return Err("only elementFormDefault=\"qualified\" is supported".into());
        }
        let mut schema = Schema {
            roots: BTreeMap::new(),
            complex: BTreeMap::new(),
            simple: BTreeMap::new(),
        };
        for child in &root.children {
            let name = required(child, "name")?.to_owned();
            match child.name.as_str() {
                "xs:simpleType" => {
                    schema.simple.insert(name, simple_type(child)?);
                }
                "xs:complexType" => {
                    schema.complex.insert(name, complex_type(child)?);
                }
                "xs:element" => {
                    only_attributes(child, &["name", "type"])?;
                    schema.roots.insert(name, element_type(child)?);
                }
                other => return Err(unsupported(child, other)),
            }
        }
        schema.check_references()?;
        Ok(schema)
    }

    /// Every named type a declaration uses exists.
    fn check_references(&self) -> Result<(), String> {
        let mut types: Vec<&TypeRef> = self.roots.values().collect();
        let mut complexes: Vec<&Complex> = self.complex.values().collect();
        loop {
            while let Some(complex) = complexes.pop() {
                for attribute in complex.attributes.values() {
                    if let Some(name) = &attribute.simple
                        && !self.simple.contains_key(name)
                    {
                        return Err(format!("simple type {name} is used but not defined"));
                    }
                }
                if let Some(content) = &complex.content {
                    types.extend(content.declarations().into_values());
                }
            }
            match types.pop() {
                None => return Ok(()),
                Some(TypeRef::Anonymous(complex)) => complexes.push(complex),
                Some(TypeRef::Named(name))
                    if !self.complex.contains_key(name) && !self.simple.contains_key(name) =>
                {
                    return Err(format!("type {name} is used but not defined"));
                }
                Some(_) => {}
            }
        }
    }

    /// Every way `xml` breaks the schema (empty when it is valid), each naming the
    /// element by its path and line.
    pub fn validate(&self, xml: &str) -> Vec<String> {
        let root = match parse(xml) {
            Ok(root) => root,
            Err(e) => return vec![e],
        };
        let mut problems = Vec::new();
        match self.roots.get(&root.name) {
            Some(ty) => self.check(&root, ty, &root.name, &mut problems),
            None => problems.push(format!(
                "line {}: <{}> is not a root element the schema declares ({})",
                root.line,
                root.name,
                self.roots.keys().cloned().collect::<Vec<_>>().join(", ")
            )),
        }
        problems
    }

    fn check(&self, node: &Node, ty: &TypeRef, path: &str, problems: &mut Vec<String>) {
        let at = |message: String| format!("line {} ({path}): {message}", node.line);
        let complex = match ty {
            TypeRef::String => None,
            TypeRef::Anonymous(complex) => Some(complex.as_ref()),
            TypeRef::Named(name) => match (self.complex.get(name), self.simple.get(name)) {
                (Some(complex), _) => Some(complex),
                (None, Some(simple)) => {
                    if !simple.accepts(&node.text) {
                        problems.push(at(format!("text {:?} is not a valid {name}", node.text)));
                    }
                    None
                }
                (None, None) => {
                    problems.push(at(format!("type {name} is not defined")));
                    return;
                }
            },
        };
        let Some(complex) = complex else {
            // Simple content: text only.
            for (key, _) in &node.attributes {
                problems.push(at(format!(
                    "attribute {key} is not allowed (text-only element)"
                )));
            }
            for child in &node.children {
                problems.push(at(format!(
                    "<{}> is not allowed: <{}> holds text only",
                    child.name, node.name
                )));
            }
            return;
        };
        self.check_attributes(node, complex, &at, problems);
        if !complex.mixed && !node.text.trim().is_empty() {
            problems.push(at(format!(
                "text is not allowed directly in <{}>: {:?}",
                node.name,
                node.text.trim()
            )));
        }
        let declared = complex
            .content
            .as_ref()
            .map(Particle::declarations)
            .unwrap_or_default();
        let mut fits = true;
        for child in &node.children {
            if !declared.contains_key(child.name.as_str()) {
                fits = false;
                problems.push(at(format!(
                    "<{}> is not allowed in <{}>",
                    child.name, node.name
                )));
            }
        }
        let names: Vec<&str> = node.children.iter().map(|c| c.name.as_str()).collect();
        let whole = match &complex.content {
            Some(content) => content.ends(&names, 0).contains(&names.len()),
            None => names.is_empty(),
        };
        if fits && !whole {
            problems.push(at(format!(
                "the children of <{}> ({}) are not in an order or number the schema allows",
                node.name,
                names.join(", ")
            )));
        }
        let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
        for child in &node.children {
            let Some(child_ty) = declared.get(child.name.as_str()) else {
                continue;
            };
            let n = seen.entry(&child.name).or_default();
            *n += 1;
            let child_path = format!("{path}/{}[{n}]", child.name);
            self.check(child, child_ty, &child_path, problems);
        }
    }

    fn check_attributes(
        &self,
        node: &Node,
        complex: &Complex,
        at: &dyn Fn(String) -> String,
        problems: &mut Vec<String>,
    ) {
        for (key, value) in &node.attributes {
            match complex.attributes.get(key) {
                None => problems.push(at(format!(
                    "attribute {key} is not allowed on <{}>",
                    node.name
                ))),
                Some(Attribute {
                    simple: Some(name), ..
                }) => {
                    let valid = self.simple.get(name).is_some_and(|s| s.accepts(value));
                    if !valid {
                        problems.push(at(format!("{key}={value:?} is not a valid {name}")));
                    }
                }
                Some(_) => {}
            }
        }
        for (key, attribute) in &complex.attributes {
            if attribute.required && node.attribute(key).is_none() {
                problems.push(at(format!(
                    "<{}> lacks the required attribute {key}",
                    node.name
                )));
            }
        }
    }
}

impl Simple {
    fn accepts(&self, value: &str) -> bool {
        self.patterns.iter().any(|p| p.is_match(value))
    }
}

impl Particle {
    /// The element declarations anywhere in this content model, by name. XSD requires
    /// one type per name within a content model, which `complex_type` checks.
    fn declarations(&self) -> BTreeMap<&str, &TypeRef> {
        let mut out = BTreeMap::new();
        self.collect(&mut out);
        out
    }

    fn collect<'a>(&'a self, out: &mut BTreeMap<&'a str, &'a TypeRef>) {
        match &self.term {
            Term::Element { name, ty } => {
                out.insert(name, ty);
            }
            Term::Sequence(items) | Term::Choice(items) => {
                items.iter().for_each(|p| p.collect(out));
            }
        }
    }

    /// Every position just after a match of this particle against `names[start..]`.
    fn ends(&self, names: &[&str], start: usize) -> BTreeSet<usize> {
        let mut reached = BTreeSet::new();
        if self.min == 0 {
            reached.insert(start);
        }
        let mut current = BTreeSet::from([start]);
        // Past `min`, an occurrence that consumes nothing adds no position, so
        // `names.len() + 1` further rounds reach every position there is.
        let rounds = self
            .max
            .unwrap_or(usize::MAX)
            .min(self.min + names.len() + 1);
        for round in 1..=rounds {
            current = current
                .iter()
                .flat_map(|&at| self.term_ends(names, at))
                .collect();
            if current.is_empty() {
                break;
            }
            if round >= self.min {
                reached.extend(current.iter().copied());
            }
        }
        reached
    }

    fn term_ends(&self, names: &[&str], start: usize) -> BTreeSet<usize> {
        match &self.term {
            Term::Element { name, .. } => match names.get(start) {
                Some(found) if found == name => BTreeSet::from([start + 1]),
                _ => BTreeSet::new(),
            },
            Term::Choice(items) => items.iter().flat_map(|p| p.ends(names, start)).collect(),
            Term::Sequence(items) => {
                let mut at = BTreeSet::from([start]);
                for item in items {
                    at = at.iter().flat_map(|&s| item.ends(names, s)).collect();
                }
                at
            }
        }
    }
}

fn unsupported(node: &Node, what: &str) -> String {
    format!(
        "schema line {}: {what} is outside the XSD subset this validator reads",
        node.line
    )
}

fn required<'a>(node: &'a Node, attribute: &str) -> Result<&'a str, String> {
    node.attribute(attribute).ok_or_else(|| {
        format!(
            "schema line {}: <{}> needs @{attribute}",
            node.line, node.name
        )
    })
}

fn only_attributes(node: &Node, allowed: &[&str]) -> Result<(), String> {
    match node
        .attributes
        .iter()
        .find(|(k, _)| !allowed.contains(&k.as_str()))
    {
        Some((key, _)) => Err(unsupported(node, &format!("@{key} on <{}>", node.name))),
        None => Ok(()),
    }
}

fn no_text(node: &Node) -> Result<(), String> {
    if node.text.trim().is_empty() {
        Ok(())
    } else {
        Err(unsupported(node, &format!("text in <{}>", node.name)))
    }
}

fn simple_type(node: &Node) -> Result<Simple, String> {
    only_attributes(node, &["name"])?;
    no_text(node)?;
    let [restriction] = node.children.as_slice() else {
        return Err(unsupported(node, "a simpleType other than one restriction"));
    };
    if restriction.name != "xs:restriction" || restriction.attribute("base") != Some("xs:string") {
        return Err(unsupported(
            restriction,
            "a restriction other than of xs:string",
        ));
    }
    only_attributes(restriction, &["base"])?;
    let mut patterns = Vec::new();
    for facet in &restriction.children {
        if facet.name != "xs:pattern" {
            return Err(unsupported(facet, &format!("facet <{}>", facet.name)));
        }
        only_attributes(facet, &["value"])?;
        let value = required(facet, "value")?;
        // XSD patterns match the whole value.
        let regex = Regex::new(&format!("^(?:{value})$"))
            .map_err(|e| format!("schema line {}: pattern {value:?}: {e}", facet.line))?;
        patterns.push(regex);
    }
    if patterns.is_empty() {
        return Err(unsupported(restriction, "a restriction without a pattern"));
    }
    Ok(Simple { patterns })
}

fn complex_type(node: &Node) -> Result<Complex, String> {
    only_attributes(node, &["name", "mixed"])?;
    no_text(node)?;
    let mixed = match node.attribute("mixed") {
        None | Some("false") => false,
        Some("true") => true,
        Some(other) => return Err(unsupported(node, &format!("mixed=\"{other}\""))),
    };
    let mut content = None;
    let mut attributes = BTreeMap::new();
    for (i, child) in node.children.iter().enumerate() {
        match child.name.as_str() {
            "xs:sequence" | "xs:choice" if i == 0 => content = Some(group(child)?),
            "xs:attribute" => {
                only_attributes(child, &["name", "type", "use"])?;
                no_text(child)?;
                if !child.children.is_empty() {
                    return Err(unsupported(child, "an attribute with an inline type"));
                }
                let simple = match child.attribute("type") {
                    None | Some("xs:string") => None,
                    Some(name) if !name.starts_with("xs:") => Some(name.to_owned()),
                    Some(other) => return Err(unsupported(child, &format!("type {other}"))),
                };
                let required = match child.attribute("use") {
                    None | Some("optional") => false,
                    Some("required") => true,
                    Some(other) => return Err(unsupported(child, &format!("use=\"{other}\""))),
                };
                attributes.insert(required_name(child)?, Attribute { simple, required });
            }
            other => return Err(unsupported(child, &format!("<{other}> here"))),
        }
    }
    if let Some(content) = &content {
        one_type_per_name(content, node)?;
    }
    Ok(Complex {
        mixed,
        content,
        attributes,
    })
}

fn required_name(node: &Node) -> Result<String, String> {
    required(node, "name").map(str::to_owned)
}

/// XSD's "element declarations consistent" rule, which lets validation find a child's
/// type by its name alone.
fn one_type_per_name(content: &Particle, node: &Node) -> Result<(), String> {
    let mut all = Vec::new();
    fn walk<'a>(p: &'a Particle, out: &mut Vec<(&'a str, &'a TypeRef)>) {
        match &p.term {
            Term::Element { name, ty } => out.push((name, ty)),
            Term::Sequence(items) | Term::Choice(items) => items.iter().for_each(|i| walk(i, out)),
        }
    }
    walk(content, &mut all);
    let mut first: BTreeMap<&str, String> = BTreeMap::new();
    for (name, ty) in all {
        let key = format!("{ty:?}");
        if let Some(earlier) = first.insert(name, key.clone())
            && earlier != key
        {
            return Err(format!(
                "schema line {}: element {name} is declared with two types",
                node.line
            ));
        }
    }
    Ok(())
}

fn occurs(node: &Node) -> Result<(usize, Option<usize>), String> {
    let number = |key: &str, value: &str| {
        value
            .parse::<usize>()
            .map_err(|_| format!("schema line {}: {key}={value:?}", node.line))
    };
    let min = match node.attribute("minOccurs") {
        Some(v) => number("minOccurs", v)?,
        None => 1,
    };
    let max = match node.attribute("maxOccurs") {
        Some("unbounded") => None,
        Some(v) => Some(number("maxOccurs", v)?),
        None => Some(1),
    };
    if max.is_some_and(|max| max < min) {
        return Err(format!("schema line {}: maxOccurs < minOccurs", node.line));
    }
    Ok((min, max))
}

fn group(node: &Node) -> Result<Particle, String> {
    only_attributes(node, &["minOccurs", "maxOccurs"])?;
    no_text(node)?;
    let (min, max) = occurs(node)?;
    let items = node
        .children
        .iter()
        .map(|child| match child.name.as_str() {
            "xs:sequence" | "xs:choice" => group(child),
            "xs:element" => local_element(child),
            other => Err(unsupported(child, &format!("<{other}> in a content model"))),
        })
        .collect::<Result<Vec<_>, _>>()?;
    let term = if node.name == "xs:sequence" {
        Term::Sequence(items)
    } else {
        Term::Choice(items)
    };
    Ok(Particle { term, min, max })
}

fn local_element(node: &Node) -> Result<Particle, String> {
    only_attributes(node, &["name", "type", "minOccurs", "maxOccurs"])?;
    let (min, max) = occurs(node)?;
    Ok(Particle {
        term: Term::Element {
            name: required_name(node)?,
            ty: element_type(node)?,
        },
        min,
        max,
    })
}

/// The type of an `xs:element`: `type="..."` or one inline `complexType`.
fn element_type(node: &Node) -> Result<TypeRef, String> {
    no_text(node)?;
    match (node.attribute("type"), node.children.as_slice()) {
        (Some("xs:string"), []) => Ok(TypeRef::String),
        (Some(name), []) if !name.starts_with("xs:") => Ok(TypeRef::Named(name.to_owned())),
        (None, [inline])
            if inline.name == "xs:complexType" && inline.attribute("name").is_none() =>
        {
            Ok(TypeRef::Anonymous(Box::new(complex_type(inline)?)))
        }
        _ => Err(unsupported(node, "this element's type")),
    }
}
