MESSAGES = {
    "mail.footer": {"fr": "KmerHosting · Douala, Cameroun · support@kmerhosting.cm",
                    "en": "KmerHosting · Douala, Cameroon · support@kmerhosting.cm"},
    "mail.hello": {"fr": "Bonjour {name},", "en": "Hello {name},"},
    "mail.verify.subject": {"fr": "Confirmez votre adresse e-mail", "en": "Confirm your e-mail address"},
    "mail.verify.body": {"fr": "Merci pour votre inscription chez KmerHosting. Confirmez votre adresse e-mail pour "
                               "pouvoir commander. Ce lien est valable {hours} heures et ne sert qu'une fois.",
                         "en": "Thank you for signing up with KmerHosting. Confirm your e-mail address to be able "
                               "to order. This link is valid for {hours} hours and works only once."},
    "mail.verify.button": {"fr": "Confirmer mon e-mail", "en": "Confirm my e-mail"},
    "mail.reset.subject": {"fr": "Réinitialisation de votre mot de passe", "en": "Reset your password"},
    "mail.reset.body": {"fr": "Vous avez demandé à changer votre mot de passe. Ce lien est valable {minutes} minutes "
                              "et ne sert qu'une fois. Si vous n'êtes pas à l'origine de cette demande, ignorez ce message.",
                        "en": "You asked to change your password. This link is valid for {minutes} minutes and works "
                              "only once. If you did not ask for it, ignore this message."},
    "mail.reset.button": {"fr": "Choisir un nouveau mot de passe", "en": "Choose a new password"},
    "mail.email_in_use.subject": {"fr": "Votre adresse e-mail a été proposée pour un autre compte",
                                  "en": "Your e-mail address was offered for another account"},
    "mail.email_in_use.body": {"fr": "Quelqu'un a demandé à utiliser cette adresse pour un autre compte KmerHosting. "
                                     "Rien n'a changé\u00a0: elle reste celle de votre compte. Si c'était vous, "
                                     "connectez-vous simplement avec cette adresse\u00a0; sinon, ignorez ce message.",
                               "en": "Someone asked to use this address for another KmerHosting account. Nothing "
                                     "has changed: it is still your account's address. If it was you, simply log "
                                     "in with this address; otherwise, ignore this message."},
    "mail.email_in_use.button": {"fr": "Me connecter", "en": "Log in"},
}

MESSAGES.update({
    "mail.error.not_resendable": {"fr": "Ce message a déjà été envoyé ou est en cours d'envoi : il ne peut pas être renvoyé.",
                                  "en": "This message was already sent or is being sent: it cannot be sent again."},
    "mail.total": {"fr": "Total", "en": "Total"},
    "mail.balance_left": {"fr": "Solde restant", "en": "Remaining balance"},
    "mail.balance_now": {"fr": "Votre solde est maintenant de {balance}.", "en": "Your balance is now {balance}."},
    "mail.reason": {"fr": "Motif : {reason}", "en": "Reason: {reason}"},
    "mail.note": {"fr": "Message de notre équipe : {note}", "en": "Message from our team: {note}"},
    "mail.what.service": {"fr": "votre hébergement {pack} pour {domain}", "en": "your {pack} hosting for {domain}"},
    "mail.what.domain": {"fr": "votre nom de domaine {domain}", "en": "your domain name {domain}"},
    "mail.purchase.subject": {"fr": "Confirmation de votre commande n° {order_id}",
                              "en": "Your order #{order_id} is confirmed"},
    "mail.purchase.body": {"fr": "Merci pour votre commande n° {order_id}. Voici le détail de ce qui a été payé avec "
                                 "vos crédits\u00a0:",
                           "en": "Thank you for your order #{order_id}. Here is what was paid with your credits:"},
    "mail.purchase.button": {"fr": "Voir mes services", "en": "See my services"},
    "mail.hosting_ready.subject": {"fr": "Votre hébergement est prêt\u00a0: {domain}", "en": "Your hosting is ready: {domain}"},
    "mail.hosting_ready.body": {"fr": "Le compte de {what} est créé sur notre serveur.",
                                "en": "The account for {what} has been created on our server."},
    "mail.hosting_ready.password": {"fr": "Pour des raisons de sécurité, ce message ne contient aucun mot de passe\u00a0: "
                                          "choisissez celui de votre panneau depuis votre espace client (Mes services).",
                                    "en": "For your security this message contains no password: choose your panel "
                                          "password from your dashboard (My services)."},
    "mail.hosting_ready.nameservers": {"fr": "Pour mettre votre site en ligne, faites pointer votre domaine vers nos "
                                             "serveurs de noms (ci-dessous) s'il est enregistré ailleurs.",
                                       "en": "To put your site online, point your domain to our nameservers (below) "
                                             "if it is registered elsewhere."},
    "mail.hosting_ready.sandbox": {"fr": "Serveur de test\u00a0: aucun compte réel n'a été créé.",
                                   "en": "Test server: no real account was created."},
    "mail.hosting_ready.panel": {"fr": "Panneau de contrôle", "en": "Control panel"},
    "mail.hosting_ready.username": {"fr": "Identifiant", "en": "Username"},
    "mail.hosting_ready.ns": {"fr": "Serveurs de noms", "en": "Nameservers"},
    "mail.hosting_ready.button": {"fr": "Choisir mon mot de passe", "en": "Set my password"},
    "mail.renewal.subject": {"fr": "Renouvellement confirmé : {domain}", "en": "Renewal confirmed: {domain}"},
    "mail.renewal.body": {"fr": "Le renouvellement de {what} pour {duration} est confirmé ({amount}). "
                                "Nouvelle date d'expiration\u00a0: {date}.",
                          "en": "The renewal of {what} for {duration} is confirmed ({amount}). "
                                "New expiry date: {date}."},
    "mail.renewal.button": {"fr": "Voir mon espace client", "en": "Go to my dashboard"},
    "mail.credit_added.subject": {"fr": "{amount} ajoutés à votre compte", "en": "{amount} added to your account"},
    "mail.credit_added.body": {"fr": "{amount} de crédits ont été ajoutés à votre compte KmerHosting.",
                               "en": "{amount} of credits were added to your KmerHosting account."},
    "mail.credits.button": {"fr": "Voir mes crédits", "en": "See my credits"},
    "mail.credit_approved.subject": {"fr": "Votre demande de crédits est acceptée",
                                     "en": "Your credit request is approved"},
    "mail.credit_approved.body": {"fr": "Bonne nouvelle : votre demande de {amount} de crédits a été acceptée et "
                                        "le montant est disponible sur votre compte.",
                                  "en": "Good news: your request for {amount} of credits was approved and the amount "
                                        "is available on your account."},
    "mail.shop.button": {"fr": "Voir les offres d'hébergement", "en": "See the hosting offers"},
    "mail.credit_rejected.subject": {"fr": "Votre demande de crédits n'a pas été acceptée",
                                     "en": "Your credit request was not approved"},
    "mail.credit_rejected.body": {"fr": "Votre demande de {amount} de crédits n'a pas été acceptée. Aucun montant "
                                        "n'a été ajouté à votre compte.",
                                  "en": "Your request for {amount} of credits was not approved. Nothing was added to "
                                        "your account."},
    "mail.credit_rejected.help": {"fr": "Si vous avez bien effectué le paiement, répondez à ce message avec sa "
                                        "référence et nous vérifierons.",
                                  "en": "If you did make the payment, reply to this message with its reference and "
                                        "we will check."},
    "mail.expiry.subject": {"fr": "{domain} expire dans {days}", "en": "{domain} expires in {days}"},
    "mail.expiry.body": {"fr": "{what} expire dans {days}, le {date}.",
                         "en": "{what} expires in {days}, on {date}."},
    "mail.expiry.service_advice": {"fr": "Renouvelez-le dès maintenant pour que votre site et vos e-mails restent en "
                                         "ligne sans interruption. Le renouvellement s'ajoute à la date actuelle\u00a0: "
                                         "renouveler tôt ne fait perdre aucun jour.",
                                   "en": "Renew it now to keep your website and e-mail online without interruption. "
                                         "The renewal adds to the current date: renewing early never loses a day."},
    "mail.expiry.domain_advice": {"fr": "Renouvelez-le dès maintenant : un nom de domaine expiré peut être perdu et "
                                        "racheté par quelqu'un d'autre.",
                                  "en": "Renew it now: an expired domain name can be lost and bought by someone else."},
    "mail.renew.button": {"fr": "Renouveler maintenant", "en": "Renew now"},
    "mail.today.subject": {"fr": "{domain} expire aujourd'hui", "en": "{domain} expires today"},
    "mail.today.body": {"fr": "{what} expire aujourd'hui, le {date}.", "en": "{what} expires today, {date}."},
    "mail.expired.subject": {"fr": "{domain} a expiré : renouvelez-le", "en": "{domain} has expired: renew it"},
    "mail.expired.body": {"fr": "{what} a expiré il y a {days}, le {date}.",
                          "en": "{what} expired {days} ago, on {date}."},
    "mail.expired.service_advice": {"fr": "Le service sera suspendu s'il n'est pas renouvelé rapidement. "
                                          "Renouvelez-le pour le remettre en ligne.",
                                    "en": "The service will be suspended if it is not renewed soon. "
                                          "Renew it to bring it back online."},
    "mail.expired.domain_advice": {"fr": "Renouvelez-le au plus vite pour ne pas perdre ce nom de domaine.",
                                   "en": "Renew it as soon as possible so you do not lose this domain name."},
})
