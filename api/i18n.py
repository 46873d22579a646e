"""French and English texts for error codes (French is the default language)."""

from __future__ import annotations

from typing import Any, Literal

Language = Literal["fr", "en"]
LANGUAGES: tuple[Language, ...] = ("fr", "en")

# code -> (French, English); `{name}` placeholders come from the error's parameters.
MESSAGES: dict[str, tuple[str, str]] = {
    # values
    "invalid_value": ("Valeur invalide.", "Invalid value."),
    "money_not_integer_cents": ("Un montant s'exprime en cents entiers.",
                                "An amount is a whole number of cents."),
    "money_out_of_range": ("Montant hors limites.", "Amount out of range."),
    "money_malformed": ("Montant illisible.", "Unreadable amount."),
    "currency_unsupported": ("Seul le dollar canadien (CAD) est accepté.",
                             "Only Canadian dollars (CAD) are accepted."),
    "currency_mismatch": ("Devises différentes.", "Currencies differ."),
    "latitude_out_of_range": ("La latitude doit être comprise entre -90 et 90.",
                              "Latitude must be between -90 and 90."),
    "longitude_out_of_range": ("La longitude doit être comprise entre -180 et 180.",
                               "Longitude must be between -180 and 180."),
    "radius_out_of_range": ("Le rayon doit être supérieur à 0 et au plus {maximum} km.",
                            "The radius must be above 0 and at most {maximum} km."),
    "postal_code_invalid": ("Code postal canadien invalide (format A1A 1A1).",
                            "Invalid Canadian postal code (format A1A 1A1)."),
    "postal_code_not_quebec": ("Le code postal n'est pas au Québec (il commence par G, H ou J).",
                               "The postal code is not in Québec (it starts with G, H or J)."),
    "province_not_quebec": ("L'adresse doit être au Québec (QC).",
                            "The address must be in Québec (QC)."),
    "region_unknown": ("Région administrative inconnue (01 à 17).",
                       "Unknown administrative region (01 to 17)."),
    "street_invalid": ("Adresse civique requise (au plus {max_length} caractères).",
                       "Street address required (at most {max_length} characters)."),
    "municipality_invalid": ("Municipalité requise (au plus {max_length} caractères).",
                             "Municipality required (at most {max_length} characters)."),
    "location_required": ("Coordonnées requises : ni la municipalité ni le code postal ne "
                          "nous disent où est ce commerce.",
                          "Coordinates required: neither the municipality nor the postal code "
                          "tells us where this business is."),
    "location_not_quebec": ("Les coordonnées ne sont pas au Québec.",
                            "The coordinates are not in Québec."),
    "external_id_conflict": (
        "Cet external_id a déjà été importé avec une autre valeur de ce champ ; l'import "
        "initial est conservé.",
        "This external_id was already imported with another value of this field; the first "
        "import stands."),
    "neq_malformed": ("Le NEQ compte exactement 10 chiffres.",
                      "The NEQ has exactly 10 digits."),
    "neq_unknown_kind": ("Le NEQ doit commencer par 11, 22, 33 ou 88.",
                         "The NEQ must start with 11, 22, 33 or 88."),
    "neq_placeholder": ("Ce NEQ n'est pas un vrai numéro.", "This NEQ is not a real number."),
    "category_unknown": ("Catégorie inconnue : {value}.", "Unknown category: {value}."),
    "categories_empty": ("Au moins une catégorie est requise.",
                         "At least one category is required."),
    "categories_too_many": ("Au plus {maximum} catégories.", "At most {maximum} categories."),
    "commission_rate_invalid": (
        "Le taux de commission est une fraction entre 0 et 1 (100 %), à au plus cinq "
        "décimales : 0.08 pour 8 %.",
        "The commission rate is a fraction between 0 and 1 (100%), at most five decimals: "
        "0.08 for 8%."),
    "commission_minimum_invalid": (
        "Le minimum de commission est un nombre entier de cents entre 0 et {maximum}.",
        "The commission minimum is a whole number of cents between 0 and {maximum}."),
    "commission_default_not_removable": (
        "La règle par défaut se modifie ; elle ne se retire pas.",
        "The default rule can be changed, not removed."),
    "email_invalid": ("Adresse courriel invalide.", "Invalid e-mail address."),
    "phone_invalid": ("Numéro de téléphone nord-américain invalide.",
                      "Invalid North American phone number."),
    "name_invalid": ("Nom requis (au plus {max_length} caractères).",
                     "Name required (at most {max_length} characters)."),
    "gst_number_required": ("Numéro de TPS requis, sauf pour un petit fournisseur.",
                            "GST number required, unless a small supplier."),
    "gst_number_invalid": ("Numéro de TPS invalide (9 chiffres, RT, 4 chiffres).",
                           "Invalid GST number (9 digits, RT, 4 digits)."),
    "qst_number_required": ("Numéro de TVQ requis, sauf pour un petit fournisseur.",
                            "QST number required, unless a small supplier."),
    "qst_number_invalid": ("Numéro de TVQ invalide (10 chiffres, TQ, 4 chiffres).",
                           "Invalid QST number (10 digits, TQ, 4 digits)."),
    "delivery_radius_invalid": ("Rayon de livraison entre 0 et {maximum} km.",
                                "Delivery radius between 0 and {maximum} km."),
    "fee_out_of_range": ("Frais entre 0 et {max_cents} cents.",
                         "Fee between 0 and {max_cents} cents."),
    "fulfilment_none": ("Offrez au moins un mode : cueillette, livraison ou expédition.",
                        "Offer at least one method: pickup, delivery or shipping."),
    "text_required": ("Champ requis.", "Required field."),
    "sign_in_failed": ("Adresse ou mot de passe incorrect.", "Wrong address or password."),
    "too_many_attempts": ("Trop de tentatives : réessayez dans {retry_after} s.",
                          "Too many attempts: try again in {retry_after} s."),
    "email_unverified": ("Confirmez d'abord votre adresse (le lien est dans le courriel "
                         "reçu).", "Confirm your address first (the link is in the mail)."),
    "password_length": ("Le mot de passe compte de {min_length} à {max_length} caractères.",
                        "The password has {min_length} to {max_length} characters."),
    "password_spaces": ("Le mot de passe ne commence ni ne finit par une espace.",
                        "The password neither starts nor ends with a space."),
    "password_wrong": ("Le mot de passe actuel est incorrect.",
                       "The current password is wrong."),
    "link_invalid": ("Ce lien n'est plus valide : demandez-en un nouveau.",
                     "This link is no longer valid: ask for a new one."),
    "role_not_held": ("Ce compte n'a pas le rôle « {role} ».",
                      "This account does not hold the role \u201c{role}\u201d."),
    "language_unknown": ("Langue : fr ou en.", "Language: fr or en."),
    "invitation_used": ("Cette invitation a déjà été acceptée.",
                        "This invitation was already accepted."),
    "csrf_failed": ("Jeton anti-CSRF absent ou incorrect (en-tête X-CSRFToken ou champ "
                    "csrftoken).", "Missing or wrong CSRF token (X-CSRFToken header or "
                    "csrftoken field)."),
    "text_control_characters": (
        "Caractères de contrôle interdits (NUL…) : seuls la tabulation et le saut de ligne "
        "sont permis.",
        "Control characters (NUL…) are not allowed: only tab and newline are."),
    "text_too_long": ("Au plus {max_length} caractères.", "At most {max_length} characters."),
    "website_invalid": ("Adresse web invalide (http:// ou https://).",
                        "Invalid web address (http:// or https://)."),
    "reason_invalid": ("Motif requis ({min_length} à {max_length} caractères).",
                       "Reason required ({min_length} to {max_length} characters)."),
    "price_required": ("Prix requis.", "Price required."),
    "price_out_of_range": ("Le prix doit être positif et au plus {max_cents} cents.",
                           "The price must be positive and at most {max_cents} cents."),
    "tax_class_unknown": ("Classe de taxe inconnue ({allowed}).", "Unknown tax class ({allowed})."),
    "origin_unknown": ("Mention d'origine inconnue ({allowed}).",
                       "Unknown origin label ({allowed})."),
    "stock_reason_unknown": ("Motif d'ajustement inconnu ({allowed}).",
                             "Unknown adjustment reason ({allowed})."),
    "stock_delta_invalid": ("L'ajustement doit être non nul et d'au plus {maximum} unités.",
                            "The adjustment must be non-zero and at most {maximum} units."),
    "stock_out_of_range": ("Le stock doit être entre 0 et {maximum}.",
                           "Stock must be between 0 and {maximum}."),
    # search
    "point_incomplete": ("Donnez la latitude et la longitude ensemble.",
                         "Give latitude and longitude together."),
    "radius_needs_point": ("Un rayon demande un point (lat, lon) ou un lieu (near).",
                           "A radius needs a point (lat, lon) or a place (near)."),
    "near_with_point": ("Donnez un lieu (near) ou des coordonnées (lat, lon), pas les deux.",
                        "Give a place (near) or coordinates (lat, lon), not both."),
    "place_unknown": ("Lieu inconnu : « {name} » n'est ni une municipalité du Québec que nous "
                      "connaissons, ni un code postal québécois.",
                      "Unknown place: \"{name}\" is neither a Québec municipality we know nor a "
                      "Québec postal code."),
    "place_ambiguous": ("Plusieurs municipalités s'appellent « {name} » : {candidates}. "
                        "Précisez la région.",
                        "Several municipalities are called \"{name}\": {candidates}. "
                        "Give the region."),
    "price_range_inverted": ("Le prix maximal est inférieur au prix minimal.",
                             "The maximum price is below the minimum price."),
    "page_out_of_range": ("Page entre 1 et {maximum}.", "Page between 1 and {maximum}."),
    "page_size_out_of_range": ("Taille de page entre 1 et {maximum}.",
                               "Page size between 1 and {maximum}."),
    # carts, checkout, orders
    "quantity_invalid": ("Quantité entre 1 et {maximum}.", "Quantity between 1 and {maximum}."),
    "cart_full": ("Au plus {maximum} lignes par panier.", "At most {maximum} lines per cart."),
    "cart_empty": ("Le panier est vide.", "The cart is empty."),
    "cart_checked_out": ("Ce panier a déjà été commandé.", "This cart was already ordered."),
    "listing_not_for_sale": ("« {title} » n'est plus en vente.",
                             "“{title}” is no longer for sale."),
    "insufficient_stock": ("Stock insuffisant pour « {title} » : {available} disponible(s), "
                           "{requested} demandé(s).",
                           "Not enough “{title}”: {available} available, {requested} asked."),
    "consumer_exists": ("Ce consommateur est déjà inscrit.",
                        "This consumer is already registered."),
    "fulfilment_not_offered": ("Ce commerçant n'offre pas ce mode ({method}).",
                               "This merchant does not offer this method ({method})."),
    "delivery_out_of_range": ("Adresse hors du rayon de livraison ({radius_km} km).",
                              "Address outside the delivery radius ({radius_km} km)."),
    "delivery_location_unknown": ("Municipalité de livraison inconnue : choisissez la cueillette "
                                  "ou l'expédition.", "Unknown delivery municipality: choose "
                                  "pickup or shipping."),
    "delivery_address_missing": ("Adresse requise pour la livraison ou l'expédition.",
                                 "An address is needed for delivery or shipping."),
    "merchant_not_in_order": ("Ce commerçant n'a pas de part dans cette commande.",
                              "This merchant has no part in this order."),
    "refund_amount_invalid": ("Le montant du remboursement doit être positif.",
                              "The refund amount must be positive."),
    "refund_exceeds_paid": ("Remboursement supérieur au montant remboursable "
                            "({refundable_cents} ¢).",
                            "Refund above the refundable amount ({refundable_cents} ¢)."),
    "order_lines_empty": ("Commande sans ligne.", "Order without lines."),
    "payment_not_capturable": ("Paiement non capturable ({status}).",
                               "Payment cannot be captured ({status})."),
    "refund_exceeds_captured": ("Remboursement supérieur au montant capturé.",
                                "Refund above the captured amount."),
    "payment_unknown": ("Paiement inconnu.", "Unknown payment."),
    # payouts and webhooks
    "merchant_payouts_not_ready": ("{name} ne peut pas encore être payé : son compte de "
                                   "versement n'est pas prêt.",
                                   "{name} cannot be paid yet: its payout account is not ready."),
    "payout_account_missing": ("Aucun compte de versement.", "No payout account."),
    "transfer_exceeds_charge": ("Virement supérieur au paiement.",
                                "Transfer above the payment."),
    "reversal_exceeds_transfer": ("Annulation supérieure au virement.",
                                  "Reversal above the transfer."),
    "account_unknown": ("Compte de versement inconnu.", "Unknown payout account."),
    "month_invalid": ("Mois au format AAAA-MM.", "Month as YYYY-MM."),
    "body_too_large": ("Corps de requête trop volumineux.", "Request body too large."),
    "json_too_deep": ("JSON trop profondément imbriqué.", "JSON nested too deeply."),
    "database_unavailable": ("Base de données injoignable ; réessayez sous peu.",
                             "Database unreachable; try again shortly."),
    "projections_behind": ("Vues en retard : {projections}.", "Read models behind: {projections}."),
    "storefront_unknown": ("Vitrine inconnue.", "Unknown storefront."),
    "storefront_exists": ("Cette vitrine existe déjà.", "This storefront already exists."),
    "storefront_scope_empty": ("Une vitrine couvre des régions, des catégories ou un rayon.",
                               "A storefront covers regions, categories or a radius."),
    "storefront_area_incomplete": ("Latitude, longitude et rayon vont ensemble.",
                                   "Latitude, longitude and radius go together."),
    "slug_invalid": ("Identifiant : lettres minuscules, chiffres et tirets.",
                     "Slug: lowercase letters, digits and hyphens."),
    "date_range_invalid": ("Période invalide (au plus {max_days} jours).",
                           "Invalid period (at most {max_days} days)."),
    "position_or_time": ("Une position ou un moment, pas les deux.",
                         "A position or a time, not both."),
    "signature_missing": ("En-tête Stripe-Signature absent.", "Stripe-Signature header missing."),
    "signature_invalid": ("Signature du webhook invalide.", "Invalid webhook signature."),
    "signature_stale": ("Signature du webhook périmée.", "Stale webhook signature."),
    "payload_invalid": ("Contenu du webhook illisible.", "Unreadable webhook payload."),
    "webhooks_not_configured": ("Webhooks Stripe non configurés "
                                "(COMPTOIR_STRIPE_WEBHOOK_SECRET).",
                                "Stripe webhooks are not configured "
                                "(COMPTOIR_STRIPE_WEBHOOK_SECRET)."),
    "subject_mismatch": ("Profil d'une autre personne.", "Another person's profile."),
    # outbound webhooks
    "webhook_url_invalid": ("Adresse de point de terminaison invalide (https://…, au plus "
                            "{max_length} caractères, sans identifiants ni fragment).",
                            "Invalid endpoint URL (https://…, at most {max_length} characters, "
                            "no credentials nor fragment)."),
    "webhook_url_not_https": ("Le point de terminaison doit être en https://.",
                              "The endpoint must use https://."),
    "webhook_url_not_public": ("Le point de terminaison doit être une adresse publique (ni "
                               "localhost, ni adresse privée ou réservée).",
                               "The endpoint must be a public address (not localhost, nor a "
                               "private or reserved address)."),
    "webhook_event_type_unknown": ("Type d'événement inconnu : {value} ({allowed}).",
                                   "Unknown event type: {value} ({allowed})."),
    "webhook_event_types_empty": ("Choisissez au moins un type d'événement.",
                                  "Choose at least one event type."),
    "webhook_endpoints_too_many": ("Au plus {maximum} points de terminaison.",
                                   "At most {maximum} endpoints."),
    # variants, SKUs, stock feeds, listing imports (docs/catalogue.md)
    "sku_invalid": ("SKU invalide : de 1 à {max_length} caractères imprimables, sans caractère "
                    "de contrôle.", "Invalid SKU: 1 to {max_length} printable characters, no "
                    "control character."),
    "sku_taken": ("Le SKU « {sku} » désigne déjà un autre de vos produits.",
                  "SKU '{sku}' already names another of your products."),
    "sku_unknown": ("Aucun de vos produits ne porte ce SKU.",
                    "None of your products has this SKU."),
    "sku_repeated": ("Ce SKU figure déjà plus haut dans ce lot ; la première ligne compte.",
                     "This SKU is already earlier in this batch; the first line counts."),
    "variant_label_invalid": ("Libellé de variante requis (au plus {max_length} caractères).",
                              "Variant label required (at most {max_length} characters)."),
    "variant_label_taken": ("Une autre variante de ce produit porte déjà ce libellé.",
                            "Another variant of this listing already has this label."),
    "variant_required": ("Ce produit se vend par variante : précisez laquelle.",
                         "This listing is sold by variant: say which one."),
    "variant_unknown": ("Ce produit n'a pas cette variante.",
                        "This listing has no such variant."),
    "variants_too_many": ("Au plus {maximum} variantes par produit.",
                          "At most {maximum} variants per listing."),
    "listing_has_reservations": ("Des commandes en cours réservent {reserved} unité(s) de ce "
                                 "produit : ajoutez des variantes une fois qu'elles sont "
                                 "traitées.", "Orders in progress reserve {reserved} unit(s) "
                                 "of this listing: add variants once they are dealt with."),
    "sku_conflict": ("Ce SKU a déjà été importé avec une autre valeur de ce champ ; l'import "
                     "initial est conservé.", "This SKU was already imported with another "
                     "value of this field; the first import stands."),
    "row_invalid": ("Ligne illisible.", "Unreadable row."),
    # rules and states
    "validation_failed": ("Certaines valeurs sont invalides.", "Some values are invalid."),
    "illegal_transition": ("Action « {action} » impossible : {entity} est à l'état « {state} ».",
                           "Cannot {action}: the {entity} is '{state}'."),
    "rule_violated": ("Règle d'affaires non respectée.", "Business rule violated."),
    "merchant_not_approved": ("Le commerçant doit être approuvé pour publier.",
                              "The merchant must be approved to publish."),
    "merchant_not_open": ("Le commerçant n'est plus actif (état « {status} »).",
                          "The merchant is no longer active (state '{status}')."),
    "stock_below_reserved": ("Le stock ne peut pas descendre sous les {reserved} unités "
                             "réservées.", "Stock cannot go below the {reserved} reserved units."),
    "subject_forgotten": ("Cette personne a été oubliée à sa demande.",
                          "This person was forgotten at their request."),
    # application
    "not_found": ("Ressource introuvable : {kind}.", "Not found: {kind}."),
    "forbidden": ("Vous n'avez pas le droit de faire cette action.",
                  "You are not allowed to do this."),
    "conflict": ("Conflit avec l'état actuel.", "Conflict with the current state."),
    "concurrent_update": ("Modifié en même temps par quelqu'un d'autre ; réessayez.",
                          "Changed by someone else at the same time; try again."),
    "neq_taken": ("Ce NEQ est déjà inscrit par un commerce actif.",
                  "This NEQ is already registered by an active merchant."),
    "slug_exhausted": ("Trop de commerces portent ce nom dans cette municipalité.",
                       "Too many merchants have this name in this municipality."),
    "idempotency_key_reused": ("Cette clé d'idempotence a déjà servi pour une autre requête.",
                               "This idempotency key was already used for another request."),
    "idempotency_key_invalid": ("Clé d'idempotence invalide (1 à 255 caractères visibles).",
                                "Invalid idempotency key (1 to 255 visible characters)."),
    # paged lists (docs/lists.md)
    "cursor_invalid": ("Curseur invalide : reprenez le « next » de la page précédente, avec "
                       "les mêmes filtres.", "Invalid cursor: give back the previous page's "
                       "`next`, with the same filters."),
    "limit_out_of_range": ("Entre 1 et {maximum} lignes par page.",
                           "Between 1 and {maximum} rows per page."),
    "status_unknown": ("État inconnu : {value} ({allowed}).", "Unknown status: {value} "
                       "({allowed})."),
    # HTTP
    "unauthenticated": ("Authentification requise.", "Authentication required."),
    "token_invalid": ("Jeton invalide ou expiré.", "Invalid or expired token."),
    "route_not_found": ("Cette adresse n'existe pas.", "No such address."),
    "method_not_allowed": ("Méthode non permise ici.", "Method not allowed here."),
    "malformed_request": ("Requête illisible.", "Unreadable request."),
    "internal_error": ("Erreur interne ; elle a été journalisée.",
                       "Internal error; it has been logged."),
    # request validation (pydantic error types)
    "missing": ("Champ requis.", "Field required."),
    "extra_forbidden": ("Champ inconnu.", "Unknown field."),
    "string_type": ("Texte attendu.", "Text expected."),
    "string_too_short": ("Au moins {min_length} caractères.", "At least {min_length} characters."),
    "string_too_long": ("Au plus {max_length} caractères.", "At most {max_length} characters."),
    "string_pattern_mismatch": ("Format invalide.", "Invalid format."),
    "int_type": ("Nombre entier attendu.", "Integer expected."),
    "int_parsing": ("Nombre entier attendu.", "Integer expected."),
    "int_from_float": ("Nombre entier attendu (sans décimales).",
                       "Integer expected (no decimals)."),
    "float_type": ("Nombre attendu.", "Number expected."),
    "float_parsing": ("Nombre attendu.", "Number expected."),
    "finite_number": ("Nombre fini attendu.", "Finite number expected."),
    "bool_type": ("Vrai ou faux attendu.", "True or false expected."),
    "bool_parsing": ("Vrai ou faux attendu.", "True or false expected."),
    "greater_than": ("Doit être supérieur à {gt}.", "Must be greater than {gt}."),
    "greater_than_equal": ("Doit être au moins {ge}.", "Must be at least {ge}."),
    "less_than": ("Doit être inférieur à {lt}.", "Must be less than {lt}."),
    "less_than_equal": ("Doit être au plus {le}.", "Must be at most {le}."),
    "literal_error": ("Valeur permise : {expected}.", "Allowed value: {expected}."),
    "enum": ("Valeur permise : {expected}.", "Allowed value: {expected}."),
    "uuid_parsing": ("Identifiant invalide.", "Invalid identifier."),
    "uuid_type": ("Identifiant invalide.", "Invalid identifier."),
    "datetime_parsing": ("Date ou heure invalide (AAAA-MM-JJ ou ISO 8601).",
                         "Invalid date or time (YYYY-MM-DD or ISO 8601)."),
    "datetime_from_date_parsing": ("Date ou heure invalide (AAAA-MM-JJ ou ISO 8601).",
                                   "Invalid date or time (YYYY-MM-DD or ISO 8601)."),
    "json_invalid": ("JSON invalide.", "Invalid JSON."),
    "json_type": ("JSON attendu.", "JSON expected."),
    "model_type": ("Objet JSON attendu.", "JSON object expected."),
    "model_attributes_type": ("Objet JSON attendu.", "JSON object expected."),
    "dict_type": ("Objet JSON attendu.", "JSON object expected."),
    "list_type": ("Liste attendue.", "List expected."),
    "too_short": ("Au moins {min_length} élément(s).", "At least {min_length} item(s)."),
    "too_long": ("Au plus {max_length} élément(s).", "At most {max_length} item(s)."),
    "value_error": ("Valeur invalide.", "Invalid value."),
    # merchant profile changes and images (docs/merchants.md)
    "day_unknown": ("Jour inconnu (attendus : {allowed}).", "Unknown day (expected: {allowed})."),
    "hours_invalid": ("Une liste d'au plus {max_periods} périodes par jour.",
                      "A list of at most {max_periods} periods a day."),
    "hours_period_invalid": ("Période invalide : « opens » et « closes » en HH:MM, l'ouverture "
                             "avant la fermeture (au plus 24:00).",
                             "Invalid period: \"opens\" and \"closes\" as HH:MM, opening before "
                             "closing (24:00 at the latest)."),
    "hours_overlap": ("Des périodes du même jour se chevauchent.",
                      "Periods of the same day overlap."),
    "hours_as_typed": ("Écrivez les heures d'un jour ainsi : 9:00-17:00, ou 9 h à 12 h, 13 h à "
                       "17 h (au plus 4 périodes, l'ouverture avant la fermeture, au plus "
                       "24:00) ; laissez vide un jour de fermeture.",
                       "Write a day's hours as 9:00-17:00, or 9:00-12:00, 13:00-17:00 (at most "
                       "4 periods, opening before closing, 24:00 at the latest); leave a day "
                       "you are closed empty."),
    "profile_change_empty": ("Aucun champ à modifier.", "No field to change."),
    "location_without_address": ("Des coordonnées accompagnent une adresse.",
                                 "A location comes with an address."),
    "value_required": ("Valeur requise : ce champ ne peut pas être retiré.",
                       "Value required: this field cannot be removed."),
    "identity_unchanged": ("La dénomination et le NEQ demandés sont ceux du commerce.",
                           "The requested legal name and NEQ are the merchant's already."),
    "image_id_invalid": ("Identifiant d'image invalide.", "Invalid image identifier."),
    "image_unknown": ("Aucune image téléversée n'a cet identifiant.",
                      "No uploaded image has this identifier."),
    "image_type_unsupported": ("Format d'image refusé : JPEG, PNG ou WebP seulement.",
                               "Image format refused: JPEG, PNG or WebP only."),
    "image_unreadable": ("Image illisible ou corrompue.", "Unreadable or corrupt image."),
    "image_too_large": ("Image trop volumineuse (au plus {max_bytes} octets).",
                        "Image too large (at most {max_bytes} bytes)."),
    "image_too_many_pixels": ("Image trop grande (au plus {max_pixels} pixels).",
                              "Image too big (at most {max_pixels} pixels)."),
    "image_too_small": ("Image trop petite (au moins {min_side} pixels de côté).",
                        "Image too small (at least {min_side} pixels a side)."),
    "image_file_required": ("Un fichier image est requis (champ « file »).",
                            "An image file is required (field \"file\")."),
    "photos_too_many": ("Au plus {maximum} photos.", "At most {maximum} photos."),
    "photos_repeated": ("Une même photo figure deux fois.", "A photo appears twice."),
}

# problem type -> (French title, English title)
TITLES: dict[str, tuple[str, str]] = {
    "validation-failed": ("Données invalides", "Invalid data"),
    "malformed-request": ("Requête illisible", "Malformed request"),
    "unauthenticated": ("Non authentifié", "Not authenticated"),
    "forbidden": ("Accès refusé", "Forbidden"),
    "not-found": ("Introuvable", "Not found"),
    "method-not-allowed": ("Méthode non permise", "Method not allowed"),
    "illegal-transition": ("Transition interdite", "Illegal transition"),
    "rule-violated": ("Règle d'affaires non respectée", "Business rule violated"),
    "conflict": ("Conflit", "Conflict"),
    "idempotency-key-reused": ("Clé d'idempotence réutilisée", "Idempotency key reused"),
    "internal-error": ("Erreur interne", "Internal error"),
    "webhook-rejected": ("Webhook refusé", "Webhook rejected"),
    "payload-too-large": ("Requête trop volumineuse", "Payload too large"),
    "unavailable": ("Service indisponible", "Service unavailable"),
    "too-many-requests": ("Trop de tentatives", "Too many attempts"),
    "image-rejected": ("Image refusée", "Image rejected"),
    "unsupported-media-type": ("Format non pris en charge", "Unsupported media type"),
}


def message(code: str, params: dict[str, Any], language: Language) -> str:
    texts = MESSAGES.get(code) or MESSAGES["invalid_value"]
    template = texts[LANGUAGES.index(language)]
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        return template


def title(problem_type: str, language: Language) -> str:
    return TITLES[problem_type][LANGUAGES.index(language)]


def negotiate(accept_language: str | None, default: Language) -> Language:
    """Pick fr or en from an Accept-Language header, honouring q-values."""
    best: tuple[float, Language] | None = None
    for part in (accept_language or "").split(","):
        tag, _, q = part.strip().partition(";q=")
        primary = tag.strip().lower().split("-")[0]
        try:
            weight = float(q) if q else 1.0
        except ValueError:
            continue
        if primary in LANGUAGES and weight > 0 and (best is None or weight > best[0]):
            best = (weight, primary)
    return best[1] if best else default
