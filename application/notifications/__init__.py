"""Transactional e-mail driven by the event log (docs/notifications.md).

A tracked follower of the one log (`triggers.NotificationProjection`) turns events into rows of
a mail outbox, committed with its tracked position: one row per (event, recipient), whatever
crashes and restarts. A job (`sender.MailSender`) sends the pending rows through a `Mailer`,
writing each mail at send time from the log: addresses are decrypted then, links signed then,
and a person erased meanwhile gets nothing.
"""
