//! The in-place view the derive writes beside a row: `<Name>Mut<'a>`, for `relstore::Fields`.

use proc_macro2::TokenStream as TokenStream2;
use quote::{ToTokens, quote};
use syn::{DeriveInput, GenericParam, Ident};

use super::{RowField, self_as_row};

/// `<Name>Mut`, the in-place view of a row (`relstore::Fields`): every field by `&mut`, but
/// the checked keys by `&`, so that an edit through it cannot change what an index holds.
pub(crate) fn view(
    input: &DeriveInput,
    fields: &[RowField],
    model_where: &TokenStream2,
    indexed: &[&Ident],
    validated: bool,
) -> TokenStream2 {
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let vis = &input.vis;
    let view = Ident::new(
        &format!("{}Mut", ident.to_string().trim_start_matches("r#")),
        ident.span(),
    );
    let row = quote!(#ident #ty_generics);
    let view_fields = fields.iter().map(|f| {
        let name = &f.field.ident;
        let field_vis = &f.field.vis;
        // `Self` in a field's type means the row, not the view.
        let ty = self_as_row(f.ty.to_token_stream(), &row);
        let guarded = (f.key && !f.unchecked)
            || f.field
                .ident
                .as_ref()
                .is_some_and(|ident| indexed.contains(&ident))
            || (validated && !f.unvalidated);
        if guarded {
            quote!(#field_vis #name: &'__relstore #ty)
        } else {
            quote!(#field_vis #name: &'__relstore mut #ty)
        }
    });
    let names: Vec<_> = fields.iter().map(|f| &f.field.ident).collect();
    let params = &input.generics.params;
    let comma = (!params.is_empty() && !params.trailing_punct()).then(|| quote!(,));
    // The parameters as arguments (no bounds), for naming the view's type.
    let args = params.iter().map(|param| match param {
        GenericParam::Type(t) => t.ident.to_token_stream(),
        GenericParam::Lifetime(l) => l.lifetime.to_token_stream(),
        GenericParam::Const(c) => c.ident.to_token_stream(),
    });
    let doc = format!(
        "In-place access to a [`{ident}`]'s fields, from `Db::row_mut` and `Db::rows_mut`: each \
         field by `&mut`, its foreign keys, indexed fields and validated fields by `&` (those \
         change through `Db::edit` or `Db::update`, which check them and keep the indexes in \
         step)."
    );
    quote! {
        #[doc = #doc]
        // A view nobody uses is not dead code of the user's.
        #[allow(dead_code)]
        #vis struct #view<'__relstore, #params #comma> #where_clause {
            #(#view_fields,)*
            // Uses the lifetime in a row without fields; private, so only the derive builds views.
            __relstore_row: ::core::marker::PhantomData<&'__relstore mut #ident #ty_generics>,
        }

        #[automatically_derived]
        impl #impl_generics ::relstore::Fields for #ident #ty_generics #model_where {
            type Mut<'__relstore> = #view<'__relstore, #(#args),*> where Self: '__relstore;

            #[inline]
            fn fields_mut(&mut self) -> Self::Mut<'_> {
                let #ident { #(#names,)* } = self;
                #view { #(#names,)* __relstore_row: ::core::marker::PhantomData }
            }
        }
    }
}
