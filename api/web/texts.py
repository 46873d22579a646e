"""The shop's words, French (Québec) first, English second. Error messages are not here: the
pages show the problem codes' messages of api/i18n.py, the API's own."""

from __future__ import annotations

from api.i18n import Language
from api.web.texts_consoles import CONSOLE_TEXTS
from api.web.texts_portal import PORTAL_TEXTS

# key -> (French, English)
TEXTS: dict[str, tuple[str, str]] = {
    "html_lang": ("fr-CA", "en-CA"),
    "other_language": ("English", "Français"),
    "other_code": ("en", "fr"),
    "site": ("Comptoir", "Comptoir"),
    "tagline": ("L'achat local au Québec", "Buy local in Québec"),
    "skip": ("Aller au contenu", "Skip to content"),
    "nav_label": ("Navigation principale", "Main navigation"),
    "nav_search": ("Chercher", "Search"),
    "nav_cart": ("Panier", "Cart"),
    "nav_account": ("Mon compte", "My account"),
    "nav_sign_in": ("Se connecter", "Sign in"),
    "nav_sign_up": ("Créer un compte", "Sign up"),
    "footer": ("Comptoir · L'achat local au Québec · Les prix sont en dollars canadiens.",
               "Comptoir · Buy local in Québec · Prices in Canadian dollars."),
    "errors_title": ("Veuillez corriger ce qui suit :", "Please correct the following:"),
    # search
    "search_title": ("Trouvez des produits d'ici", "Find local products"),
    "storefront_in": ("Vous magasinez dans la vitrine « {name} » : seuls ses commerces sont "
                      "montrés.", "You are shopping in the “{name}” storefront: only its "
                      "businesses are shown."),
    "storefront_leave": ("Voir tout le Québec", "See all of Québec"),
    "search_intro": ("Des commerces du Québec près de chez vous : cherchez un produit ou un "
                     "commerce, près d'une ville ou d'un code postal.",
                     "Québec businesses near you: search for a product or a business, near a "
                     "town or a postal code."),
    "search_page_title": ("Recherche", "Search"),
    "q": ("Produit ou commerce", "Product or business"),
    "q_hint": ("Par exemple : sirop d'érable, fromagerie", "For example: maple syrup, cheese"),
    "near": ("Près de", "Near"),
    "near_hint": ("Ville ou code postal (Gatineau, J8X 3X7)",
                  "Town or postal code (Gatineau, J8X 3X7)"),
    "radius": ("Rayon", "Radius"),
    "radius_any": ("Toute distance", "Any distance"),
    "region": ("Région", "Region"),
    "region_any": ("Toutes les régions", "All regions"),
    "category": ("Catégorie", "Category"),
    "category_any": ("Toutes les catégories", "All categories"),
    "origin": ("Origine", "Origin"),
    "origin_any": ("Toutes les origines", "Any origin"),
    "in_stock_only": ("En stock maintenant seulement", "In stock now only"),
    "search_button": ("Chercher", "Search"),
    "filters": ("Filtres", "Filters"),
    "results": ("Résultats", "Results"),
    "result_count": ("{count} produit(s)", "{count} product(s)"),
    "no_results": ("Aucun produit ne correspond à votre recherche. Élargissez le rayon ou "
                   "retirez un filtre.", "No product matches your search. Widen the radius "
                   "or remove a filter."),
    "ignored_words": ("Mots ignorés : {words}", "Words ignored: {words}"),
    "at_distance": ("à {km} km", "{km} km away"),
    "map_title": ("Les commerces autour", "Businesses around"),
    "map_hint": ("La carte reprend la liste ci-dessous.", "The map shows the list below."),
    "previous": ("Page précédente", "Previous page"),
    "next": ("Page suivante", "Next page"),
    "page_of": ("Page {page}", "Page {page}"),
    # listing
    "photo_alt": ("Photo {n} de {title}", "Photo {n} of {title}"),
    "sold_by": ("Vendu par", "Sold by"),
    "quantity": ("Quantité", "Quantity"),
    "add_to_cart": ("Ajouter au panier", "Add to cart"),
    "sign_in_to_buy": ("Connectez-vous pour acheter : votre panier vous attend ensuite.",
                       "Sign in to buy: your cart will be waiting."),
    "in_stock": ("En stock", "In stock"),
    "in_stock_count": ("En stock ({count})", "In stock ({count})"),
    "out_of_stock": ("Rupture de stock", "Out of stock"),
    "merchant_page": ("Voir la fiche du commerce", "See the business's page"),
    "back_to_search": ("Retour à la recherche", "Back to search"),
    "added": ("Ajouté au panier.", "Added to your cart."),
    # cart
    "cart_title": ("Votre panier", "Your cart"),
    "cart_empty": ("Votre panier est vide.", "Your cart is empty."),
    "product": ("Produit", "Product"),
    "unit_price": ("Prix unitaire", "Unit price"),
    "amount": ("Montant", "Amount"),
    "update_quantity": ("Mettre à jour", "Update"),
    "remove": ("Retirer", "Remove"),
    "subtotal": ("Sous-total", "Subtotal"),
    "fee": ("Frais de livraison", "Delivery fee"),
    "gst": ("TPS (5 %)", "GST (5%)"),
    "qst": ("TVQ (9,975 %)", "QST (9.975%)"),
    "total": ("Total", "Total"),
    "merchant_total": ("Total pour ce commerce", "Total for this business"),
    "grand_total": ("Total à payer", "Total to pay"),
    "to_checkout": ("Passer la commande", "Check out"),
    "sent_too_large": ("Le fichier envoyé est trop volumineux. Choisissez-en un plus petit.",
                       "The file sent is too large. Choose a smaller one."),
    "form_expired": ("Ce formulaire a expiré ou ne vient pas de cette page : rechargez la "
                     "page, puis recommencez. Rien n'a été changé.", "This form has expired or "
                     "did not come from this page: reload the page, then try again. Nothing "
                     "was changed."),
    "page_failed": ("Une erreur inattendue s'est produite de notre côté. Réessayez dans un "
                    "instant.", "An unexpected error happened on our side. Try again in a "
                    "moment."),
    "line_problem": ("À revoir", "Needs attention"),
    "available_left": ("Il en reste {count}.", "{count} left."),
    # fulfilment
    "fulfilment": ("Mode de remise", "How you get it"),
    "pickup": ("Cueillette en magasin", "Pickup in store"),
    "delivery": ("Livraison locale", "Local delivery"),
    "shipping": ("Expédition par la poste", "Shipping"),
    "free": ("gratuit", "free"),
    # checkout
    "checkout_title": ("Passer la commande", "Check out"),
    "your_details": ("Vos coordonnées", "Your details"),
    "details_hint": ("Une seule fois : elles sont chiffrées et ne servent qu'à vos commandes. "
                     "L'adresse est requise pour une livraison.",
                     "Once only: they are encrypted and used for your orders only. The address "
                     "is needed for a delivery."),
    "name": ("Nom complet", "Full name"),
    "phone": ("Téléphone (facultatif)", "Phone (optional)"),
    "street": ("Adresse (numéro et rue)", "Street address"),
    "municipality": ("Municipalité", "Town"),
    "postal_code": ("Code postal", "Postal code"),
    "recalculate": ("Recalculer", "Recalculate"),
    "recalculate_hint": ("Après avoir changé un mode de remise : les frais et les taxes sont "
                         "recalculés.", "After changing how you get an order: fees and taxes "
                         "are computed again."),
    "order_reference": ("Numéro de commande : {ref}", "Order number: {ref}"),
    "payment": ("Paiement", "Payment"),
    "payment_hint": ("Un seul paiement pour tous les commerces. Passerelle de paiement locale "
                     "(essai) : choisissez la carte d'essai.",
                     "One payment for every business. Local payment gateway (test): choose "
                     "the test card."),
    "card": ("Carte", "Card"),
    "payment_hint_stripe": ("Un seul paiement pour tous les commerces. Vous entrerez votre "
                            "carte à l'étape suivante, dans le formulaire sécurisé de Stripe.",
                            "One payment for every business. You will enter your card at the "
                            "next step, in Stripe's secure form."),
    "place_order": ("Continuer vers le paiement", "Continue to payment"),
    "pay_title": ("Paiement par carte", "Card payment"),
    "pay_intro": ("Votre commande est réservée pendant 15 minutes. Entrez votre carte dans le "
                  "formulaire de Stripe ; rien n'est prélevé avant la confirmation.",
                  "Your order is held for 15 minutes. Enter your card in Stripe's form; "
                  "nothing is charged before you confirm."),
    "pay_no_script": ("Le formulaire de carte de Stripe demande JavaScript. Activez-le pour "
                      "payer cette commande.",
                      "Stripe's card form needs JavaScript. Turn it on to pay for this order."),
    "pay_loading": ("Chargement du formulaire de paiement…", "Loading the payment form…"),
    "pm_card_visa": ("Visa d'essai — acceptée", "Test Visa — accepted"),
    "pm_card_chargeDeclined": ("Carte d'essai — refusée", "Test card — declined"),
    "pm_card_insufficientFunds": ("Carte d'essai — fonds insuffisants",
                                  "Test card — insufficient funds"),
    "pay": ("Payer {amount}", "Pay {amount}"),
    "sign_in_to_check_out": ("Connectez-vous pour passer la commande.",
                             "Sign in to check out."),
    # order
    "order_title": ("Commande du {date}", "Order of {date}"),
    "order_followed": ("Cette page suit votre commande : l'état de chaque commerce s'affiche "
                       "dès qu'il change.",
                       "This page follows your order: each business's status shows as soon "
                       "as it changes."),
    "refresh": ("Actualiser", "Refresh"),
    "payment_status": ("Paiement", "Payment"),
    "pay_pending": ("En attente", "Pending"),
    "pay_authorized": ("Autorisé", "Authorized"),
    "pay_captured": ("Payé", "Paid"),
    "pay_failed": ("Refusé", "Declined"),
    "order_failed": ("Le paiement a été refusé : rien ne vous a été facturé et les produits "
                     "sont remis en vente.", "The payment was declined: you were not charged "
                     "and the products are back on sale."),
    "st_placed": ("Reçue, en attente du commerce", "Received, waiting for the business"),
    "st_accepted": ("Acceptée, en préparation", "Accepted, being prepared"),
    "st_fulfilled": ("Remise — c'est fait !", "Handed over — done!"),
    "st_declined": ("Refusée par le commerce", "Declined by the business"),
    "st_cancelled": ("Annulée", "Cancelled"),
    "refunded": ("Remboursé : {amount}", "Refunded: {amount}"),
    "reason": ("Motif : {reason}", "Reason: {reason}"),
    "order_total": ("Total payé", "Total paid"),
    "ordered": ("Commande passée. Merci d'acheter local !",
                "Order placed. Thank you for buying local!"),
    # account
    "sign_up_title": ("Créer un compte", "Create an account"),
    "sign_in_title": ("Se connecter", "Sign in"),
    "email": ("Adresse courriel", "Email address"),
    "password": ("Mot de passe", "Password"),
    "password_hint": ("Au moins 10 caractères ; une phrase facile à retenir fait l'affaire.",
                      "At least 10 characters; an easy-to-remember phrase will do."),
    "sign_up_button": ("Créer mon compte", "Create my account"),
    "sign_in_button": ("Me connecter", "Sign in"),
    "have_account": ("Déjà un compte ?", "Already have an account?"),
    "no_account": ("Pas encore de compte ?", "No account yet?"),
    "check_mail_title": ("Vérifiez vos courriels", "Check your email"),
    "check_mail": ("Si cette adresse peut recevoir un compte, un courriel vient d'y être envoyé. "
                   "Suivez son lien pour confirmer l'adresse, puis connectez-vous.",
                   "If this address can have an account, an email was just sent to it. "
                   "Follow its link to confirm the address, then sign in."),
    "verified_title": ("Adresse confirmée", "Address confirmed"),
    "verified": ("Merci ! Votre adresse courriel est confirmée. Vous pouvez vous connecter.",
                 "Thank you! Your email address is confirmed. You can sign in."),
    "not_verified_title": ("Lien non valide", "Invalid link"),
    "forgotten_title": ("Mot de passe oublié", "Forgotten password"),
    "forgotten_link": ("Mot de passe oublié ?", "Forgot your password?"),
    "send_link": ("M'envoyer un lien", "Send me a link"),
    "reset_sent": ("Si cette adresse a un compte confirmé, un courriel vient d'y être envoyé "
                   "avec un lien valide une heure.", "If this address has a confirmed "
                   "account, an email with a link valid for one hour was just sent to it."),
    "new_password_title": ("Nouveau mot de passe", "New password"),
    "new_password_button": ("Enregistrer le mot de passe", "Save the password"),
    "security": ("Sécurité", "Security"),
    "change_password": ("Changer mon mot de passe", "Change my password"),
    "current_password": ("Mot de passe actuel", "Current password"),
    "sign_out_everywhere": ("Me déconnecter partout", "Sign out everywhere"),
    "sign_out_everywhere_hint": (
        "Un appareil perdu, un ordinateur partagé : toutes vos sessions prennent fin, ici "
        "comme ailleurs, et les clés d'accès données à des applications cessent de valoir.",
        "A lost device, a shared computer: every one of your sessions ends, here and "
        "elsewhere, and the access tokens given to applications stop working."),
    "signed_out_everywhere": ("Déconnecté·e partout", "Signed out everywhere"),
    "signed_out_everywhere_text": ("Toutes vos sessions ont pris fin, sur tous vos appareils.",
                                   "Every one of your sessions has ended, on every device."),
    "password_changed_title": ("Mot de passe changé", "Password changed"),
    "password_changed": ("Votre mot de passe est changé ; vous êtes déconnecté·e partout. "
                         "Connectez-vous avec le nouveau.", "Your password is changed; you are "
                         "signed out everywhere. Sign in with the new one."),
    "sign_out": ("Se déconnecter", "Sign out"),
    "account_title": ("Mon compte", "My account"),
    "signed_in_as": ("Connecté·e en tant que {email}", "Signed in as {email}"),
    "my_orders": ("Mes commandes", "My orders"),
    "no_orders": ("Aucune commande pour l'instant.", "No orders yet."),
    "order_date": ("Date", "Date"),
    "order_merchants": ("Commerces", "Businesses"),
    "order_status": ("État", "Status"),
    "os_awaiting_payment": ("En attente du paiement", "Awaiting payment"),
    "os_confirmed": ("Confirmée", "Confirmed"),
    "os_completed": ("Terminée", "Completed"),
    "os_failed": ("Paiement refusé", "Payment declined"),
    "os_expired": ("Expirée", "Expired"),
    "see_order": ("Voir la commande", "See the order"),
    "my_data": ("Mes données personnelles (Loi 25)", "My personal data (Québec Law 25)"),
    "export": ("Télécharger mes données (JSON)", "Download my data (JSON)"),
    "erase_link": ("Effacer mon compte et mes données…", "Erase my account and my data…"),
    "erase_title": ("Effacer mon compte", "Erase my account"),
    "erase_warning": ("Attention : c'est définitif. Votre adresse courriel, votre mot de passe, "
                      "votre nom et vos adresses deviendront illisibles pour toujours et vous "
                      "serez déconnecté·e partout. Les montants de vos commandes restent dans "
                      "les registres comptables (six ans, comme la loi l'exige), sans votre nom. "
                      "Téléchargez d'abord vos données si vous voulez les garder.",
                      "Warning: this is final. Your email address, password, name and addresses "
                      "become unreadable forever and you are signed out everywhere. The amounts "
                      "of your orders stay in the accounting records (six years, as the law "
                      "requires), without your name. Download your data first if you want to "
                      "keep it."),
    "erase_confirm": ("Je comprends que l'effacement est définitif.",
                      "I understand that erasure is final."),
    "erase_button": ("Effacer définitivement", "Erase for good"),
    "erase_required": ("Cochez la case pour confirmer.", "Tick the box to confirm."),
    "erased": ("Votre compte et vos données ont été effacés.",
               "Your account and your data were erased."),
    "cancel": ("Annuler", "Cancel"),
    # spaces (api/web/spaces.py)
    "nav_spaces": ("Mes espaces", "My spaces"),
    "spaces_title": ("Mes espaces", "My spaces"),
    "spaces_intro": ("Votre compte peut agir comme client ou au nom d'un commerce ou d'un rôle "
                     "qui vous a été confié. Choisissez l'espace où travailler.",
                     "Your account can act as a shopper, or for a business or a role you were "
                     "given. Choose where to work."),
    "space_current": ("espace actuel", "current space"),
    "space_consumer": ("Magasiner (client)", "Shop (customer)"),
    "space_merchant": ("Portail entreprise — {name}", "Business portal — {name}"),
    "space_validator": ("Validation des commerces", "Merchant validation"),
    "space_auditor": ("Audit", "Audit"),
    "space_admin": ("Administration", "Administration"),
    "not_found_title": ("Page introuvable", "Page not found"),
    "not_found": ("Cette page n'existe pas ou n'est plus offerte.",
                  "This page does not exist or is no longer offered."),
}

ORIGINS: dict[str, tuple[str, str]] = {
    "produced": ("Produit du Québec", "Produced in Québec"),
    "transformed": ("Transformé au Québec", "Processed in Québec"),
    "designed": ("Conçu au Québec", "Designed in Québec"),
}


def texts(language: Language) -> dict[str, str]:
    index = 0 if language == "fr" else 1
    return {key: pair[index]
            for table in (TEXTS, PORTAL_TEXTS, CONSOLE_TEXTS) for key, pair in table.items()}


def origin_label(code: str, language: Language) -> str | None:
    pair = ORIGINS.get(code)
    return None if pair is None else pair[0 if language == "fr" else 1]
