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
}
