//! Secondary indexes and the validator: what `#[relstore(unique)]` and its kin declare, and
//! the `relstore::Index` types the derive writes for them.

use proc_macro2::{Span, TokenStream as TokenStream2};
use quote::{ToTokens, quote};
use syn::meta::ParseNestedMeta;
use syn::{DeriveInput, Error, Ident, Path, Result};

use super::RowField;

/// The most indexes a table can have (`relstore::index::IndexSet` is implemented for tuples
/// up to this long).
const MAX_INDEXES: usize = 8;

/// One declared index.
#[derive(Clone)]
pub(crate) struct IndexDecl {
    /// The fields, in key order, by name.
    pub(crate) fields: Vec<Ident>,
    pub(crate) unique: bool,
    pub(crate) ordered: bool,
    pub(crate) name: Option<Ident>,
    pub(crate) span: Span,
}

/// `unique`, `index` or `ordered`, which a field or a struct attribute names.
pub(crate) fn is_index_kind(meta: &ParseNestedMeta) -> bool {
    meta.path.is_ident("unique") || meta.path.is_ident("index") || meta.path.is_ident("ordered")
}

/// A field's own index: `unique`, `index`, `ordered`, `ordered, unique`, and `name = N`, in
/// one attribute or several.
#[derive(Default)]
pub(crate) struct FieldIndex {
    unique: Option<Span>,
    index: Option<Span>,
    ordered: Option<Span>,
    name: Option<Ident>,
}

impl FieldIndex {
    /// Reads one word of a field's attribute, if it is about the index.
    pub(crate) fn read(&mut self, meta: &ParseNestedMeta) -> Result<bool> {
        let span = meta
            .path
            .get_ident()
            .map_or_else(Span::call_site, Ident::span);
        let slot = if meta.path.is_ident("unique") {
            &mut self.unique
        } else if meta.path.is_ident("index") {
            &mut self.index
        } else if meta.path.is_ident("ordered") {
            &mut self.ordered
        } else if meta.path.is_ident("name") {
            if self.name.is_some() {
                return Err(meta.error("`name` is given twice"));
            }
            self.name = Some(meta.value()?.parse()?);
            return Ok(true);
        } else {
            return Ok(false);
        };
        if slot.is_some() {
            return Err(meta.error("given twice"));
        }
        *slot = Some(span);
        Ok(true)
    }

    /// The index this field declares, if any.
    pub(crate) fn decl(self, field: &Ident) -> Result<Option<IndexDecl>> {
        if let (Some(index), true) = (self.index, self.unique.is_some() || self.ordered.is_some()) {
            return Err(Error::new(
                index,
                "`index` is a plain hash index: write `unique`, `index`, `ordered` or `ordered, unique`",
            ));
        }
        let Some(span) = self.unique.or(self.index).or(self.ordered) else {
            return match self.name {
                Some(name) => Err(Error::new(
                    name.span(),
                    "`name` names an index: add `unique`, `index` or `ordered`",
                )),
                None => Ok(None),
            };
        };
        Ok(Some(IndexDecl {
            fields: vec![field.clone()],
            unique: self.unique.is_some(),
            ordered: self.ordered.is_some(),
            name: self.name,
            span,
        }))
    }
}

/// A struct attribute's index over several fields: `unique(a, b)`, `index(a, b)`,
/// `ordered(a, b)`, with `unique` and `name = N` allowed inside the parentheses.
pub(crate) fn struct_index(meta: &ParseNestedMeta) -> Result<IndexDecl> {
    let span = meta
        .path
        .get_ident()
        .map_or_else(Span::call_site, Ident::span);
    let mut decl = IndexDecl {
        fields: Vec::new(),
        unique: meta.path.is_ident("unique"),
        ordered: meta.path.is_ident("ordered"),
        name: None,
        span,
    };
    if !meta.input.peek(syn::token::Paren) {
        return Err(meta.error(
            "on the struct, an index lists its fields: `unique(a, b)`, `index(a, b)` or `ordered(a, b)` (one field's index goes on the field)",
        ));
    }
    meta.parse_nested_meta(|inner| {
        // `name = N` names the index; a bare `name` is a field called `name`.
        if inner.path.is_ident("name") && inner.input.peek(syn::Token![=]) {
            if decl.name.is_some() {
                return Err(inner.error("`name` is given twice"));
            }
            decl.name = Some(inner.value()?.parse()?);
        } else if inner.path.is_ident("unique") && decl.ordered {
            decl.unique = true;
        } else if let Some(field) = inner.path.get_ident() {
            if decl.fields.contains(field) {
                return Err(inner.error("this field is listed twice"));
            }
            decl.fields.push(field.clone());
        } else {
            return Err(inner.error("expected a field's name"));
        }
        Ok(())
    })?;
    if decl.fields.is_empty() {
        return Err(Error::new(span, "an index needs at least one field"));
    }
    Ok(decl)
}

/// The `Index` types and the model's `Indexes` tuple, or an error naming the first problem.
pub(crate) fn expand(
    input: &DeriveInput,
    fields: &[RowField],
    decls: &[IndexDecl],
) -> Result<(TokenStream2, TokenStream2)> {
    if decls.is_empty() {
        return Ok((quote!(()), TokenStream2::new()));
    }
    if !input.generics.params.is_empty() {
        return Err(Error::new(
            decls[0].span,
            "a generic model cannot have indexes: declare them on a concrete struct",
        ));
    }
    if decls.len() > MAX_INDEXES {
        return Err(Error::new(
            decls[MAX_INDEXES].span,
            format!("a table has at most {MAX_INDEXES} indexes"),
        ));
    }
    let row_name = input.ident.to_string();
    let row_name = row_name.trim_start_matches("r#");
    let mut names = Vec::new();
    let mut items = Vec::new();
    for (at, decl) in decls.iter().enumerate() {
        let key = key_of(decl, fields, &input.ident, row_name)?;
        let index = index_name(decl, row_name);
        if names.contains(&index) {
            return Err(Error::new(
                decl.span,
                format!("two indexes are named `{index}`: name one with `name = ..`"),
            ));
        }
        items.push(index_item(input, decl, &index, at, key, row_name));
        names.push(index);
    }
    Ok((quote!((#(#names,)*)), quote!(#(#items)*)))
}

/// An index's key type and the expression that gives a row's key: the field borrowed for one
/// field, a tuple of clones for several.
fn key_of(
    decl: &IndexDecl,
    fields: &[RowField],
    ident: &Ident,
    row_name: &str,
) -> Result<(TokenStream2, TokenStream2)> {
    let mut types = Vec::new();
    for name in &decl.fields {
        let Some(field) = fields.iter().find(|f| f.field.ident.as_ref() == Some(name)) else {
            return Err(Error::new(
                name.span(),
                format!("`{row_name}` has no field `{name}`"),
            ));
        };
        types.push(super::self_as_row(
            field.ty.to_token_stream(),
            &quote!(#ident),
        ));
    }
    let field_names = &decl.fields;
    Ok(match &decl.fields[..] {
        [field] => {
            let ty = &types[0];
            (quote!(#ty), quote!(&row.#field))
        }
        _ => (
            quote!((#(#types,)*)),
            quote!((#(::core::clone::Clone::clone(&row.#field_names),)*)),
        ),
    })
}

/// The index type's name: `name = ..`, or the row's name, `By`, and the fields in Pascal case.
fn index_name(decl: &IndexDecl, row_name: &str) -> Ident {
    decl.name.clone().unwrap_or_else(|| {
        let fields: String = (decl.fields.iter())
            .map(|f| pascal_case(&f.to_string()))
            .collect();
        Ident::new(&format!("{row_name}By{fields}"), decl.span)
    })
}

/// The index type's doc line: its kind, its fields, and what to pass it to.
fn index_doc(decl: &IndexDecl, row_name: &str) -> String {
    let fields: Vec<String> = decl.fields.iter().map(ToString::to_string).collect();
    let (kind, uses) = match (decl.unique, decl.ordered) {
        (true, false) => (
            "unique hash",
            "`TableRef::get_by`, `TableRef::find` or `Db::query_by`",
        ),
        (false, false) => ("hash", "`TableRef::find` or `Db::query_by`"),
        (true, true) => (
            "unique ordered",
            "`TableRef::get_by`, `find`, `range`, `prefix`, `Db::query_by` or `Db::query_range`",
        ),
        (false, true) => (
            "ordered",
            "`TableRef::find`, `range`, `prefix`, `Db::query_by` or `Db::query_range`",
        ),
    };
    format!(
        "The {kind} index of [`{row_name}`] on `{}`: pass it to {uses}.",
        fields.join(", ")
    )
}

/// The index type and its `Index` impl: index number `at` of the row's, keyed by `key`.
fn index_item(
    input: &DeriveInput,
    decl: &IndexDecl,
    index: &Ident,
    at: usize,
    (key_type, key_expr): (TokenStream2, TokenStream2),
    row_name: &str,
) -> TokenStream2 {
    let (ident, vis) = (&input.ident, &input.vis);
    let store = match (decl.unique, decl.ordered) {
        (true, false) => quote!(UniqueHash),
        (false, false) => quote!(MultiHash),
        (true, true) => quote!(UniqueOrdered),
        (false, true) => quote!(MultiOrdered),
    };
    let (unique, ordered) = (decl.unique, decl.ordered);
    let field_strs: Vec<String> = decl.fields.iter().map(ToString::to_string).collect();
    let position = syn::Index::from(at);
    let index_name = index.to_string();
    let doc = index_doc(decl, row_name);
    let stores = quote!(<<#ident as ::relstore::Model>::Indexes as ::relstore::index::IndexSet<#ident>>::Stores);
    quote! {
        #[doc = #doc]
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
        #vis struct #index;

        #[automatically_derived]
        impl ::relstore::Index for #index {
            type Model = #ident;
            type Key = #key_type;
            type Store = ::relstore::index::#store<#key_type>;
            const INFO: ::relstore::IndexInfo = ::relstore::IndexInfo {
                name: #index_name,
                table: <#ident as ::relstore::Model>::TABLE,
                fields: &[#(#field_strs),*],
                unique: #unique,
                ordered: #ordered,
            };
            #[inline]
            fn key(row: &#ident) -> impl ::core::borrow::Borrow<Self::Key> + '_ {
                #key_expr
            }
            #[inline]
            fn store(stores: &#stores) -> &Self::Store {
                &stores.#position
            }
            #[inline]
            fn store_mut(stores: &mut #stores) -> &mut Self::Store {
                &mut stores.#position
            }
        }
    }
}

/// The validator's impl items, for `validate = path`.
pub(crate) fn validator(path: Option<&Path>) -> TokenStream2 {
    match path {
        None => TokenStream2::new(),
        Some(path) => quote! {
            const VALIDATED: bool = true;
            #[inline]
            fn validate(&self) -> ::core::result::Result<(), ::relstore::Invalid> {
                #path(self)
            }
        },
    }
}

/// `player_id` -> `PlayerId`.
fn pascal_case(name: &str) -> String {
    let name = name.trim_start_matches("r#");
    name.split('_')
        .map(|word| {
            let mut chars = word.chars();
            match chars.next() {
                Some(first) => first.to_uppercase().chain(chars).collect::<String>(),
                None => String::new(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::pascal_case;

    #[test]
    fn pascal_case_joins_words() {
        assert_eq!(pascal_case("username"), "Username");
        assert_eq!(pascal_case("player_id"), "PlayerId");
        assert_eq!(pascal_case("r#type"), "Type");
    }
}
