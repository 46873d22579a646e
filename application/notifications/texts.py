"""The words of every mail, in French (the default) and English.

Each mail is a subject and a body of `str.format` fields filled by letters.py; amounts come
formatted (formats.py). Links are made when the mail is sent, never stored.
"""

from __future__ import annotations

FR: dict[str, str] = {
    "hello": "Bonjour,",
    "signature": "— L'équipe Comptoir",
    "your_order": "Votre commande : {url}",
    # The shopper
    "order_confirmed.subject": "Commande {ref} confirmée",
    "order_confirmed.body": (
        "Merci d'acheter local ! Votre paiement de {total} est reçu et votre commande {ref} "
        "est confirmée. Chaque commerçant prépare sa partie ; voici le reçu de chacun."),
    "order_cancelled.subject": "Commande {ref} annulée",
    "order_cancelled.payment_failed": (
        "Le paiement de votre commande {ref} ({total}) a été refusé : la commande est annulée "
        "et aucun montant n'a été prélevé."),
    "order_cancelled.expired": (
        "Le paiement de votre commande {ref} ({total}) n'a pas été confirmé à temps : la "
        "commande est annulée et aucun montant n'a été prélevé."),
    "merchant_order_declined.subject": "{merchant} a annulé sa partie de la commande {ref}",
    "merchant_order_declined.body": (
        "{merchant} ne peut pas honorer sa partie de votre commande {ref}.\n"
        "Motif : {reason}\n"
        "Ce qui reste à rembourser de cette partie ({total}) vous est remboursé ; un avis "
        "suit."),
    "order_part_not_accepted.subject": (
        "{merchant} n'a pas accepté à temps sa partie de la commande {ref}"),
    "order_part_not_accepted.body": (
        "{merchant} n'a pas accepté sa partie de votre commande {ref} dans les {hours} h "
        "prévues : elle est annulée automatiquement.\n"
        "Ce qui reste à rembourser de cette partie ({total}) vous est remboursé ; un avis "
        "suit."),
    "not_accepted.reason": "commande non acceptée dans les {hours} h (annulation automatique)",
    "refund_settled.subject": "Remboursement de {amount} — commande {ref}",
    "refund_settled.body": (
        "{merchant} vous a remboursé {amount} sur votre commande {ref}.\n"
        "Motif : {reason}\n"
        "Le montant paraîtra sur votre relevé d'ici quelques jours ouvrables."),
    # Receipts (one per merchant order)
    "receipt.title": "Reçu de {merchant}",
    "receipt.line": "{quantity} × {title} à {unit} : {amount}",
    "receipt.subtotal": "Sous-total : {amount}",
    "receipt.fee.delivery": "Livraison : {amount}",
    "receipt.fee.shipping": "Expédition : {amount}",
    "receipt.gst": "TPS (5 %) : {amount}",
    "receipt.qst": "TVQ (9,975 %) : {amount}",
    "receipt.total": "Total : {amount}",
    "receipt.registered": "N° de TPS : {gst} · N° de TVQ : {qst}",
    "receipt.platform_remits": (
        "TPS et TVQ perçues et remises par Comptoir, exploitant de la plateforme "
        "(commerçant non inscrit)."),
    "receipt.fulfilment": "Mode : {fulfilment}",
    "receipt.paid": "Total payé : {total}",
    "fulfilment.pickup": "cueillette",
    "fulfilment.delivery": "livraison locale",
    "fulfilment.shipping": "expédition",
    # The merchant
    "merchant_new_order.subject": "Nouvelle commande {ref} — {merchant}",
    "merchant_new_order.body": "Une nouvelle commande payée attend {merchant} :",
    "merchant_new_order.share": (
        "Votre part : {share} (le total moins la commission et, quand la plateforme les "
        "remet, les taxes)"),
    "merchant_new_order.act": "Acceptez-la ou déclinez-la : {url}",
    "merchant_order_not_accepted.subject": (
        "Commande {ref} annulée : non acceptée à temps — {merchant}"),
    "merchant_order_not_accepted.body": (
        "{merchant} n'a pas accepté la commande {ref} dans les {hours} h prévues. Elle a été "
        "déclinée automatiquement : son stock est remis en vente et l'acheteur est remboursé "
        "de {total}."),
    "merchant_order_not_accepted.see": "La commande : {url}",
    "merchant_approved.subject": "Votre commerce {merchant} est approuvé sur Comptoir",
    "merchant_approved.body": (
        "Bonne nouvelle : la demande de {merchant} est approuvée. Sa fiche est maintenant "
        "visible : {url}"),
    "merchant_rejected.subject": "Votre demande pour {merchant} n'est pas retenue",
    "merchant_rejected.body": (
        "La demande de {merchant} n'a pas été approuvée.\n"
        "Motif : {reason}\n"
        "Vous pourrez présenter une nouvelle demande une fois la situation corrigée."),
    "payout_sent.subject": "Virement de {amount} envoyé — commande {ref}",
    "payout_sent.body": (
        "Nous avons viré {amount} à {merchant} pour la commande {ref}. Le délai de dépôt "
        "dépend de votre institution financière."),
    "payout_reversed.subject": "Virement repris : {amount} — commande {ref}",
    "payout_reversed.body": (
        "À la suite d'un remboursement sur la commande {ref}, {amount} du virement versé à "
        "{merchant} a été repris."),
    "payouts_link": "Vos versements : {url}",
    # Accounts
    "email_verification.subject": "Confirmez votre adresse courriel",
    "email_verification.body": (
        "Bienvenue sur Comptoir ! Pour activer votre compte, confirmez votre adresse en "
        "suivant ce lien (valide 7 jours) :\n{url}\n\n"
        "Si vous n'avez pas créé de compte, ignorez ce message."),
    "sign_up_again.subject": "Tentative d'inscription avec votre adresse",
    "sign_up_again.body": (
        "Quelqu'un, peut-être vous, a tenté de créer un compte Comptoir avec votre adresse, "
        "qui en a déjà un. Rien n'a changé.\n\n"
        "Si c'était vous, connectez-vous ; mot de passe oublié ? {url}"),
    "password_reset.subject": "Réinitialisez votre mot de passe",
    "password_reset.body": (
        "Pour choisir un nouveau mot de passe, suivez ce lien (valide une heure, une seule "
        "fois) :\n{url}\n\n"
        "Si vous n'avez rien demandé, ignorez ce message : votre mot de passe reste le même."),
    "invitation.subject": "{merchant} vous invite sur Comptoir",
    "invitation.body": (
        "{merchant} vous invite à rejoindre son équipe sur Comptoir. Pour accepter, "
        "connectez-vous (ou créez un compte avec cette adresse), puis suivez ce lien (valide "
        "14 jours) :\n{url}\n\n"
        "Si vous ne vous attendiez pas à cette invitation, ignorez ce message."),
}

EN: dict[str, str] = {
    "hello": "Hello,",
    "signature": "— The Comptoir team",
    "your_order": "Your order: {url}",
    "order_confirmed.subject": "Order {ref} confirmed",
    "order_confirmed.body": (
        "Thank you for buying local! Your payment of {total} is received and your order {ref} "
        "is confirmed. Each merchant prepares its part; here is the receipt of each."),
    "order_cancelled.subject": "Order {ref} cancelled",
    "order_cancelled.payment_failed": (
        "The payment for your order {ref} ({total}) was declined: the order is cancelled and "
        "nothing was charged."),
    "order_cancelled.expired": (
        "The payment for your order {ref} ({total}) was not confirmed in time: the order is "
        "cancelled and nothing was charged."),
    "merchant_order_declined.subject": "{merchant} cancelled its part of order {ref}",
    "merchant_order_declined.body": (
        "{merchant} cannot fill its part of your order {ref}.\n"
        "Reason: {reason}\n"
        "What is left to refund of that part ({total}) is refunded to you; a notice follows."),
    "order_part_not_accepted.subject": "{merchant} did not accept its part of order {ref} in time",
    "order_part_not_accepted.body": (
        "{merchant} did not accept its part of your order {ref} within the {hours} hours "
        "allowed: it is cancelled automatically.\n"
        "What is left to refund of that part ({total}) is refunded to you; a notice follows."),
    "not_accepted.reason": "order not accepted within {hours} hours (cancelled automatically)",
    "refund_settled.subject": "Refund of {amount} — order {ref}",
    "refund_settled.body": (
        "{merchant} refunded you {amount} on your order {ref}.\n"
        "Reason: {reason}\n"
        "It will show on your statement within a few business days."),
    "receipt.title": "Receipt from {merchant}",
    "receipt.line": "{quantity} × {title} at {unit}: {amount}",
    "receipt.subtotal": "Subtotal: {amount}",
    "receipt.fee.delivery": "Delivery: {amount}",
    "receipt.fee.shipping": "Shipping: {amount}",
    "receipt.gst": "GST (5%): {amount}",
    "receipt.qst": "QST (9.975%): {amount}",
    "receipt.total": "Total: {amount}",
    "receipt.registered": "GST no.: {gst} · QST no.: {qst}",
    "receipt.platform_remits": (
        "GST and QST collected and remitted by Comptoir as platform operator (merchant not "
        "registered)."),
    "receipt.fulfilment": "Fulfilment: {fulfilment}",
    "receipt.paid": "Total paid: {total}",
    "fulfilment.pickup": "pickup",
    "fulfilment.delivery": "local delivery",
    "fulfilment.shipping": "shipping",
    "merchant_new_order.subject": "New order {ref} — {merchant}",
    "merchant_new_order.body": "A new paid order awaits {merchant}:",
    "merchant_new_order.share": (
        "Your share: {share} (the total less the commission and, when the platform remits "
        "them, the taxes)"),
    "merchant_new_order.act": "Accept or decline it: {url}",
    "merchant_order_not_accepted.subject": (
        "Order {ref} cancelled: not accepted in time — {merchant}"),
    "merchant_order_not_accepted.body": (
        "{merchant} did not accept order {ref} within the {hours} hours allowed. It was "
        "declined automatically: its stock is back on sale and the shopper is refunded "
        "{total}."),
    "merchant_order_not_accepted.see": "The order: {url}",
    "merchant_approved.subject": "Your business {merchant} is approved on Comptoir",
    "merchant_approved.body": (
        "Good news: the application of {merchant} is approved. Its page is now visible: {url}"),
    "merchant_rejected.subject": "Your application for {merchant} was not accepted",
    "merchant_rejected.body": (
        "The application of {merchant} was not approved.\n"
        "Reason: {reason}\n"
        "You may apply again once the situation is corrected."),
    "payout_sent.subject": "Transfer of {amount} sent — order {ref}",
    "payout_sent.body": (
        "We transferred {amount} to {merchant} for order {ref}. When it arrives depends on "
        "your financial institution."),
    "payout_reversed.subject": "Transfer reversed: {amount} — order {ref}",
    "payout_reversed.body": (
        "Following a refund on order {ref}, {amount} of the transfer made to {merchant} was "
        "taken back."),
    "payouts_link": "Your payouts: {url}",
    "email_verification.subject": "Confirm your e-mail address",
    "email_verification.body": (
        "Welcome to Comptoir! To activate your account, confirm your address by following "
        "this link (valid 7 days):\n{url}\n\n"
        "If you did not create an account, ignore this message."),
    "sign_up_again.subject": "Sign-up attempt with your address",
    "sign_up_again.body": (
        "Someone, perhaps you, tried to create a Comptoir account with your address, which "
        "already has one. Nothing changed.\n\n"
        "If it was you, sign in; forgot your password? {url}"),
    "password_reset.subject": "Reset your password",
    "password_reset.body": (
        "To choose a new password, follow this link (valid one hour, once):\n{url}\n\n"
        "If you asked for nothing, ignore this message: your password stays the same."),
    "invitation.subject": "{merchant} invites you to Comptoir",
    "invitation.body": (
        "{merchant} invites you to join its team on Comptoir. To accept, sign in (or create "
        "an account with this address), then follow this link (valid 14 days):\n{url}\n\n"
        "If you did not expect this invitation, ignore this message."),
}

TEXTS = {"fr": FR, "en": EN}


def texts(language: str) -> dict[str, str]:
    return TEXTS.get(language, FR)
