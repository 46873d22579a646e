"""Mails about accounts: the address verification link, a warning when someone signs up
again with an address that has an account, the password reset link, a merchant's invitation.

Link pages: `/v1/accounts/email-verification?token=` (the API verifies on GET),
`/compte/nouveau-mot-de-passe?token=` and `/compte/mot-de-passe-oublie` (the web's account
pages), `/portail/invitation?token=` (the merchant portal). A mail that has nothing left to
say is not sent: a verification once the address is verified, an invitation once used.
"""

from __future__ import annotations

from application.accounts import Invitation
from application.notifications.drafts import Content, Draft, Reader


def email_verification(r: Reader, d: Draft) -> Content | None:
    account = r.account(d)
    if account.verified:
        return None
    url = r.url("/v1/accounts/email-verification", r.accounts.link_for("verify", account))
    return d.content(d.t["email_verification.subject"],
                     d.t["email_verification.body"].format(url=url))


def sign_up_again(r: Reader, d: Draft) -> Content:
    return d.content(d.t["sign_up_again.subject"], d.t["sign_up_again.body"].format(
        url=r.url("/compte/mot-de-passe-oublie")))


def password_reset(r: Reader, d: Draft) -> Content:
    url = r.url("/compte/nouveau-mot-de-passe", r.accounts.link_for("reset", r.account(d)))
    return d.content(d.t["password_reset.subject"], d.t["password_reset.body"].format(url=url))


def invitation(r: Reader, d: Draft) -> Content | None:
    invited = r.load(Invitation, d.param("invitation_id"), "invitation")
    if invited.accepted_by is not None:
        return None
    name = r.merchant(invited.merchant_id).name
    url = r.url("/portail/invitation", r.accounts.invitation_link(invited.id))
    return d.content(d.t["invitation.subject"].format(merchant=name),
                     d.t["invitation.body"].format(merchant=name, url=url))


WRITERS = {"email_verification": email_verification, "sign_up_again": sign_up_again,
           "password_reset": password_reset, "invitation": invitation}
