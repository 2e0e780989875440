//! `#[derive(Model)]` for relstore; use it through `relstore::Model`, which re-exports it.

use proc_macro::TokenStream;
use proc_macro2::{Delimiter, Literal, Spacing, Span, TokenStream as TokenStream2, TokenTree};
use quote::{ToTokens, quote, quote_spanned};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{
    Attribute, Data, DeriveInput, Error, Field, Fields, GenericArgument, GenericParam, Ident,
    LitInt, LitStr, Path, PathArguments, Result, Token, Type, parse_macro_input,
};

// Documented where users meet it: on relstore's re-export (relstore/src/model_derive.md), where
// the examples are tested and the links resolve.
#[proc_macro_derive(Model, attributes(relstore))]
pub fn derive_model(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand(&input)
        .unwrap_or_else(Error::into_compile_error)
        .into()
}

mod indexes;
mod view;

use indexes::{FieldIndex, IndexDecl};

/// What `#[relstore(..)]` on the struct says.
#[derive(Default)]
struct Container {
    table: Option<LitStr>,
    version: Option<(u32, Span)>,
    /// Indexes over several fields.
    indexes: Vec<IndexDecl>,
    /// `validate = path`.
    validate: Option<Path>,
}

/// A field the derive read.
struct RowField<'a> {
    field: &'a Field,
    name: String,
    ty: &'a Type,
    /// `P` when the field is written `Id<P>` or `Option<Id<P>>`.
    parent: Option<&'a Type>,
    key: bool,
    unchecked: bool,
    /// The field's own index, if it declares one.
    index: Option<IndexDecl>,
    /// `#[relstore(unvalidated)]`: the validator does not read it.
    unvalidated: bool,
}

fn expand(input: &DeriveInput) -> Result<TokenStream2> {
    let mut errors = Errors::default();
    let container = errors.take(container_attrs(&input.attrs));
    let fields = errors.take(named_fields(input));
    let fields: Vec<RowField> = fields
        .into_iter()
        .flatten()
        .filter_map(|field| errors.take(row_field(field)))
        .collect();
    errors.finish()?;
    let container = container.unwrap_or_default();

    let ident = &input.ident;
    let table = container.table.unwrap_or_else(|| {
        let name = ident.to_string();
        let name = name.strip_prefix("r#").unwrap_or(&name);
        LitStr::new(&snake_case(name), ident.span())
    });
    let version = match container.version {
        Some((version, span)) => {
            let mut literal = Literal::u32_unsuffixed(version);
            literal.set_span(span);
            literal
        }
        None => Literal::u32_unsuffixed(1),
    };
    let shape = Literal::u64_suffixed(shape(&fields));

    let keys = fields.iter().filter(|field| field.key).map(|field| {
        let name = &field.name;
        if field.unchecked {
            quote!(::relstore::KeyField::unchecked(#name))
        } else {
            quote!(::relstore::KeyField::checked(#name))
        }
    });

    let (impl_generics, ty_generics, _) = input.generics.split_for_impl();
    let model_where = model_where(input);
    let key_types = key_types(input, &fields);

    let probes = probes(input, &fields);
    let decls: Vec<IndexDecl> = (fields.iter().filter_map(|f| f.index.clone()))
        .chain(container.indexes.iter().cloned())
        .collect();
    let (index_set, index_items) = indexes::expand(input, &fields, &decls)?;
    let indexed: Vec<&Ident> = decls.iter().flat_map(|d| &d.fields).collect();
    let validated = container.validate.is_some();
    let validator = indexes::validator(container.validate.as_ref());
    let view = view::view(input, &fields, &model_where, &indexed, validated);

    Ok(quote! {
        #[automatically_derived]
        impl #impl_generics ::relstore::Model for #ident #ty_generics #model_where {
            const TABLE: &'static str = #table;
            const VERSION: u32 = #version;
            const SHAPE: u64 = #shape;
            const KEYS: &'static [::relstore::KeyField] = &[#(#keys),*];
            type Indexes = #index_set;
            #validator
        }
        #key_types
        #index_items
        #probes
        #view
    })
}

/// The `Model` impl's where clause. A generic row is a model whenever it can be (serde's
/// derive bounds its impls the same way), so that its parameters need no bound written out.
fn model_where(input: &DeriveInput) -> TokenStream2 {
    let (_, ty_generics, where_clause) = input.generics.split_for_impl();
    if input.generics.params.is_empty() {
        return quote!(#where_clause);
    }
    let ident = &input.ident;
    let bound = quote!(#ident #ty_generics: ::relstore::__private::ModelBounds);
    match where_clause {
        Some(clause) if !clause.predicates.is_empty() => {
            let predicates = &clause.predicates;
            let comma = (!predicates.trailing_punct()).then(|| quote!(,));
            quote!(where #predicates #comma #bound)
        }
        _ => quote!(where #bound),
    }
}

/// A `KeyFieldType` impl per checked key field: how `belongs_to!` finds a key's type by its
/// field's name.
fn key_types(input: &DeriveInput, fields: &[RowField]) -> TokenStream2 {
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let impls = fields
        .iter()
        .filter(|f| f.key && !f.unchecked)
        .map(|field| {
            let name = &field.name;
            let ty = field.ty;
            // The parent is a parameter of the trait so that the impl is as private as the parent
            // is: a public row may keep a key to a private one.
            let parent = field.parent;
            quote! {
                #[automatically_derived]
                impl #impl_generics ::relstore::__private::KeyFieldType<
                    { ::relstore::__private::field_hash(#name) },
                    #parent,
                > for #ident #ty_generics #where_clause {
                    type Key = #ty;
                }
            }
        });
    quote!(#(#impls)*)
}

fn container_attrs(attrs: &[Attribute]) -> Result<Container> {
    let mut container = Container::default();
    let mut errors = Errors::default();
    for attr in attrs.iter().filter(|attr| attr.path().is_ident("relstore")) {
        let parsed = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("table") {
                if container.table.is_some() {
                    return Err(meta.error("`table` is given twice"));
                }
                let table: LitStr = meta.value()?.parse()?;
                if table.value().is_empty() {
                    return Err(Error::new(table.span(), "a table's name cannot be empty"));
                }
                container.table = Some(table);
                Ok(())
            } else if meta.path.is_ident("version") {
                if container.version.is_some() {
                    return Err(meta.error("`version` is given twice"));
                }
                let version: LitInt = meta.value()?.parse()?;
                let value: u32 = version.base10_parse()?;
                if value == 0 {
                    return Err(Error::new(version.span(), "versions start at 1"));
                }
                container.version = Some((value, version.span()));
                Ok(())
            } else if meta.path.is_ident("unchecked") {
                Err(meta.error("`unchecked` goes on a key field, not on the struct"))
            } else if indexes::is_index_kind(&meta) {
                container.indexes.push(indexes::struct_index(&meta)?);
                Ok(())
            } else if meta.path.is_ident("validate") {
                if container.validate.is_some() {
                    return Err(meta.error("`validate` is given twice"));
                }
                container.validate = Some(meta.value()?.parse()?);
                Ok(())
            } else {
                Err(meta.error(
                    "unknown `relstore` attribute: the struct takes `table = \"..\"`, `version = N`, `validate = path` and indexes over several fields (`unique(a, b)`, `index(a, b)`, `ordered(a, b)`)",
                ))
            }
        });
        errors.take(parsed);
    }
    errors.finish().map(|()| container)
}

fn named_fields(input: &DeriveInput) -> Result<&Punctuated<Field, Token![,]>> {
    const SUPPORTED: &str = "#[derive(Model)] supports structs with named fields only";
    match &input.data {
        Data::Struct(data) => match &data.fields {
            Fields::Named(fields) => Ok(&fields.named),
            Fields::Unnamed(fields) => Err(Error::new_spanned(
                fields,
                format!("{SUPPORTED}: a tuple struct's fields have no names to serve as keys"),
            )),
            Fields::Unit => Err(Error::new_spanned(
                &input.ident,
                format!(
                    "{SUPPORTED}: write a unit struct as `struct {} {{}}`",
                    input.ident
                ),
            )),
        },
        Data::Enum(data) => Err(Error::new_spanned(
            data.enum_token,
            format!("{SUPPORTED}, not enums"),
        )),
        Data::Union(data) => Err(Error::new_spanned(
            data.union_token,
            format!("{SUPPORTED}, not unions"),
        )),
    }
}

fn row_field(field: &Field) -> Result<RowField<'_>> {
    let ident = field.ident.as_ref().expect("named fields have names");
    let parent = key_parent(&field.ty);
    let key = parent.is_some();
    let mut unchecked = None;
    let mut unvalidated = None;
    let mut index = FieldIndex::default();
    let mut errors = Errors::default();
    for attr in field
        .attrs
        .iter()
        .filter(|attr| attr.path().is_ident("relstore"))
    {
        let parsed = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("unchecked") {
                if unchecked.is_some() {
                    return Err(meta.error("`unchecked` is given twice"));
                }
                unchecked = Some(meta.path.span());
                Ok(())
            } else if meta.path.is_ident("unvalidated") {
                if unvalidated.is_some() {
                    return Err(meta.error("`unvalidated` is given twice"));
                }
                unvalidated = Some(meta.path.span());
                Ok(())
            } else if index.read(&meta)? {
                Ok(())
            } else if meta.path.is_ident("table")
                || meta.path.is_ident("version")
                || meta.path.is_ident("validate")
            {
                Err(meta.error("this attribute goes on the struct, not on a field"))
            } else {
                Err(meta.error(
                    "unknown `relstore` attribute: a field takes `unchecked`, `unvalidated`, `unique`, `index`, `ordered` and `name = ..`",
                ))
            }
        });
        errors.take(parsed);
    }
    errors.finish()?;
    if let Some(span) = unchecked
        && !key
    {
        return Err(Error::new(
            span,
            format!(
                "`unchecked` marks a key field, and `{ident}` is not one: a key's type is written `Id<_>` or `Option<Id<_>>`"
            ),
        ));
    }
    Ok(RowField {
        field,
        name: ident.to_string(),
        ty: &field.ty,
        parent,
        key,
        unchecked: unchecked.is_some(),
        index: index.decl(ident)?,
        unvalidated: unvalidated.is_some(),
    })
}

/// `tokens` with every `Self` replaced by `row` (the row's type, with its generics).
fn self_as_row(tokens: TokenStream2, row: &TokenStream2) -> TokenStream2 {
    tokens
        .into_iter()
        .map(|tree| match tree {
            TokenTree::Ident(ident) if ident == "Self" => row.clone(),
            TokenTree::Group(group) => {
                let mut new =
                    proc_macro2::Group::new(group.delimiter(), self_as_row(group.stream(), row));
                new.set_span(group.span());
                TokenTree::Group(new).into()
            }
            other => other.into(),
        })
        .collect()
}

/// `P` when `ty` is written `Id<P>` or `Option<Id<P>>`, whatever the path before them.
fn key_parent(ty: &Type) -> Option<&Type> {
    single_argument(ty, "Id")
        .or_else(|| single_argument(ty, "Option").and_then(|inner| single_argument(inner, "Id")))
}

/// `T` when `ty` is written `..::name<T>`.
fn single_argument<'a>(ty: &'a Type, name: &str) -> Option<&'a Type> {
    let Type::Path(path) = ungroup(ty) else {
        return None;
    };
    if path.qself.is_some() {
        return None;
    }
    let segment = path.path.segments.last()?;
    if segment.ident != name {
        return None;
    }
    let PathArguments::AngleBracketed(arguments) = &segment.arguments else {
        return None;
    };
    match arguments.args.iter().collect::<Vec<_>>()[..] {
        [GenericArgument::Type(inner)] => Some(inner),
        _ => None,
    }
}

/// A type without the parentheses or invisible groups (from `macro_rules!`) around it.
fn ungroup(ty: &Type) -> &Type {
    match ty {
        Type::Group(group) => ungroup(&group.elem),
        Type::Paren(paren) => ungroup(&paren.elem),
        ty => ty,
    }
}

/// The compile-time checks of the fields' types: a field not written as a key must not be one
/// (a type alias), and one written as a key must be relstore's `Id`. A field whose type names
/// one of the struct's generic parameters is left out: the check must compile outside the impl.
fn probes(input: &DeriveInput, fields: &[RowField]) -> TokenStream2 {
    let ident = &input.ident;
    let parameters: Vec<String> = input
        .generics
        .params
        .iter()
        .map(|param| match param {
            GenericParam::Type(param) => param.ident.to_string(),
            GenericParam::Lifetime(param) => param.lifetime.ident.to_string(),
            GenericParam::Const(param) => param.ident.to_string(),
        })
        .collect();
    let checks: Vec<TokenStream2> = fields
        .iter()
        .filter_map(|field| {
            let tokens = field.ty.to_token_stream();
            if mentions(&tokens, &parameters) {
                return None;
            }
            // `Self` means the struct in a field's type, but not in a free constant.
            let ty = replace_self(tokens, ident);
            let name = &field.name;
            let check = if field.key {
                let message = format!(
                    "field `{name}` of `{ident}` is written as a key (`Id<..>`) but is not relstore's `Id`: import the other type under another name"
                );
                quote!(<::relstore::__private::KeyProbe<#ty>>::IS_KEY, #message)
            } else {
                let message = format!(
                    "field `{name}` of `{ident}` is an `Id` behind a type alias: write its type as `Id<..>` or `Option<Id<..>>` so that relstore sees the key"
                );
                quote!(!<::relstore::__private::KeyProbe<#ty>>::IS_KEY, #message)
            };
            // One constant per field, so that every wrong field is reported, not the first.
            Some(quote_spanned! {field.ty.span()=>
                const _: () = {
                    #[allow(unused_imports)]
                    use ::relstore::__private::NotKey as _;
                    ::core::assert!(#check);
                };
            })
        })
        .collect();
    quote!(#(#checks)*)
}

/// Whether `tokens` name one of `idents` (or `Self`, when there are any).
fn mentions(tokens: &TokenStream2, idents: &[String]) -> bool {
    !idents.is_empty()
        && tokens.clone().into_iter().any(|tree| match tree {
            TokenTree::Ident(ident) => ident == "Self" || idents.iter().any(|name| ident == name),
            TokenTree::Group(group) => mentions(&group.stream(), idents),
            _ => false,
        })
}

fn replace_self(tokens: TokenStream2, with: &Ident) -> TokenStream2 {
    tokens
        .into_iter()
        .map(|tree| match tree {
            TokenTree::Ident(ident) if ident == "Self" => {
                TokenTree::Ident(Ident::new(&with.to_string(), ident.span()))
            }
            TokenTree::Group(group) => {
                let mut new =
                    proc_macro2::Group::new(group.delimiter(), replace_self(group.stream(), with));
                new.set_span(group.span());
                TokenTree::Group(new)
            }
            tree => tree,
        })
        .collect()
}

/// FNV-1a (64 bits) of `name:type;` for each field in order, the type's tokens as written and
/// spaced the same whatever the source's spacing.
fn shape(fields: &[RowField]) -> u64 {
    let mut text = String::new();
    for field in fields {
        text.push_str(&field.name);
        text.push(':');
        let mut glued = true;
        print_tokens(field.ty.to_token_stream(), &mut text, &mut glued);
        text.push(';');
    }
    fnv1a(text.as_bytes())
}

/// Appends `tokens` to `out` one space apart, except a joint punctuation mark (the first `:`
/// of `::`, the `'` of a lifetime) and what follows it.
fn print_tokens(tokens: TokenStream2, out: &mut String, glued: &mut bool) {
    fn word(out: &mut String, glued: &mut bool, text: &str) {
        if !*glued {
            out.push(' ');
        }
        out.push_str(text);
        *glued = false;
    }
    for tree in tokens {
        match tree {
            TokenTree::Group(group) => {
                let (open, close) = match group.delimiter() {
                    Delimiter::Parenthesis => ("(", ")"),
                    Delimiter::Bracket => ("[", "]"),
                    Delimiter::Brace => ("{", "}"),
                    Delimiter::None => ("", ""),
                };
                if !open.is_empty() {
                    word(out, glued, open);
                }
                print_tokens(group.stream(), out, glued);
                if !close.is_empty() {
                    word(out, glued, close);
                }
            }
            TokenTree::Ident(ident) => word(out, glued, &ident.to_string()),
            TokenTree::Literal(literal) => word(out, glued, &literal.to_string()),
            TokenTree::Punct(punct) => {
                word(out, glued, &punct.as_char().to_string());
                *glued = punct.spacing() == Spacing::Joint;
            }
        }
    }
}

/// The same hash as relstore's `field_hash`.
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &byte in bytes {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// `BlogPost` -> `blog_post`, `HTTPRequest` -> `http_request`, `UserV2` -> `user_v2`.
fn snake_case(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_uppercase() {
            let previous = i.checked_sub(1).map(|j| chars[j]);
            let next = chars.get(i + 1);
            let boundary = previous.is_some_and(|p| p.is_lowercase() || p.is_ascii_digit())
                || (previous.is_some_and(char::is_uppercase)
                    && next.is_some_and(|n| n.is_lowercase()));
            if boundary {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// Several errors reported at once, so that one build shows every mistake.
#[derive(Default)]
struct Errors(Option<Error>);

impl Errors {
    fn take<T>(&mut self, result: Result<T>) -> Option<T> {
        result
            .map_err(|error| match &mut self.0 {
                Some(errors) => errors.combine(error),
                None => self.0 = Some(error),
            })
            .ok()
    }

    fn finish(self) -> Result<()> {
        self.0.map_or(Ok(()), Err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_case_splits_words() {
        assert_eq!(snake_case("User"), "user");
        assert_eq!(snake_case("BlogPost"), "blog_post");
        assert_eq!(snake_case("HTTPRequest"), "http_request");
        assert_eq!(snake_case("UserV2"), "user_v2");
        assert_eq!(snake_case("Post2Tag"), "post2_tag");
        assert_eq!(snake_case("already_snake"), "already_snake");
    }

    #[test]
    fn fnv1a_matches_the_reference_values() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
    }

    fn shape_text(ty: &str) -> String {
        let ty: Type = syn::parse_str(ty).unwrap();
        let mut text = String::new();
        print_tokens(ty.to_token_stream(), &mut text, &mut true);
        text
    }

    #[test]
    fn shape_text_ignores_the_source_spacing() {
        assert_eq!(shape_text("Id<User>"), "Id < User >");
        assert_eq!(shape_text("Option<Id<User>>"), "Option < Id < User > >");
        assert_eq!(
            shape_text("Option < Id < User > >"),
            "Option < Id < User > >"
        );
        assert_eq!(shape_text("std::vec::Vec<u8>"), "std :: vec :: Vec < u8 >");
        assert_eq!(shape_text("&'static str"), "& 'static str");
        assert_eq!(shape_text("[u8; 4]"), "[ u8 ; 4 ]");
    }

    #[test]
    fn keys_are_read_from_the_last_path_segment() {
        let key = |ty: &str| key_parent(&syn::parse_str(ty).unwrap()).is_some();
        assert!(key("Id<User>"));
        assert!(key("relstore::Id<User>"));
        assert!(key("Option<Id<User>>"));
        assert!(key("std::option::Option<relstore::Id<User>>"));
        assert!(key("(Id<User>)"));
        assert!(!key("Vec<Id<User>>"));
        assert!(!key("Id"));
        assert!(!key("Option<User>"));
        assert!(!key("<X as Trait>::Id<User>"));
    }
}
