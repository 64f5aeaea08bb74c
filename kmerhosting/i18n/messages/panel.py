"""The customer's hosting panel on /dashboard/services: opening it, its password, the account's state."""

NB = "\u00a0"

MESSAGES = {
    # Buttons and labels on a service card
    "panel.open": {"fr": "Ouvrir cPanel", "en": "Open cPanel"},
    "panel.opening": {"fr": "Ouverture…", "en": "Opening…"},
    "panel.password_button": {"fr": "Mot de passe du panneau", "en": "Panel password"},
    "panel.disk": {"fr": f"Disque{NB}:", "en": "Disk:"},
    "panel.bandwidth": {"fr": f"Trafic du mois{NB}:", "en": "Traffic this month:"},
    "panel.used_of": {"fr": "{used} sur {limit}", "en": "{used} of {limit}"},
    "panel.unlimited": {"fr": "illimité", "en": "unlimited"},
    "panel.status_creating": {"fr": "Compte en cours de création", "en": "Account being created"},
    "panel.creating_note": {"fr": "Votre compte d'hébergement est en cours de création. Cette page se met à jour "
                                  "toute seule dès qu'il est prêt.",
                            "en": "Your hosting account is being created. This page updates by itself as soon as "
                                  "it is ready."},
    "panel.status_failed": {"fr": "Création échouée", "en": "Creation failed"},
    "panel.failed_note": {"fr": f"La création de votre compte a échoué, notre équipe s'en occupe. Vous n'avez rien "
                                f"à faire{NB}; nous vous écrivons dès qu'il est prêt.",
                          "en": "Creating your account failed; our team is on it. You have nothing to do; we "
                                "will write to you as soon as it is ready."},
    # The password dialog
    "panel.password_title": {"fr": "Mot de passe du panneau", "en": "Control panel password"},
    "panel.password_intro": {"fr": "Choisissez le mot de passe de votre panneau {panel} pour {domain}. Il remplace "
                                   "celui du courriel de bienvenue.",
                             "en": "Choose the password of your {panel} panel for {domain}. It replaces the one in "
                                   "the welcome e-mail."},
    "panel.password_new": {"fr": "Nouveau mot de passe", "en": "New password"},
    "panel.password_confirm": {"fr": "Confirmez le mot de passe", "en": "Confirm the password"},
    "panel.password_hint": {"fr": "Au moins 12 caractères, avec trois sortes parmi minuscules, majuscules, "
                                  "chiffres et symboles.",
                            "en": "At least 12 characters, with three kinds among lowercase, uppercase, digits "
                                  "and symbols."},
    "panel.password_save": {"fr": "Enregistrer", "en": "Save"},
    "panel.password_done": {"fr": "Le mot de passe du panneau de {domain} est changé.",
                            "en": "The panel password of {domain} is changed."},
    # Refusals, in words
    "panel.not_ready": {"fr": f"Votre compte d'hébergement est encore en cours de création{NB}: réessayez dans "
                              f"un instant.",
                        "en": "Your hosting account is still being created: try again in a moment."},
    "panel.no_account": {"fr": "Ce service n'a pas de compte sur nos serveurs pour l'instant. Contactez le support.",
                         "en": "This service has no account on our servers yet. Contact support."},
    "panel.service_suspended": {"fr": f"Ce service est suspendu{NB}: son panneau ne peut pas être ouvert.",
                                "en": "This service is suspended: its panel cannot be opened."},
    "panel.service_expired": {"fr": f"Ce service est expiré{NB}: renouvelez-le pour ouvrir son panneau.",
                              "en": "This service has expired: renew it to open its panel."},
    "panel.service_cancelled": {"fr": f"Ce service est résilié{NB}: son panneau n'est plus accessible.",
                                "en": "This service is cancelled: its panel is no longer available."},
    "panel.service_inactive": {"fr": "Ce service n'est pas actif.", "en": "This service is not active."},
    "panel.unreachable": {"fr": f"Le serveur ne répond pas pour le moment{NB}: réessayez dans une minute.",
                          "en": "The server is not answering right now: try again in a minute."},
    "panel.failed": {"fr": "Le serveur a refusé la demande. Notre équipe est prévenue et s'en occupe.",
                     "en": "The server refused the request. Our team has been told and is on it."},
    "panel.too_slow": {"fr": f"Le serveur met trop de temps à répondre{NB}: réessayez dans une minute.",
                       "en": "The server is taking too long to answer: try again in a minute."},
    "panel.password_weak": {"fr": "Le serveur juge ce mot de passe trop faible. Choisissez-en un plus long, "
                                  "avec des majuscules, des chiffres et des symboles.",
                            "en": "The server finds this password too weak. Choose a longer one, with uppercase "
                                  "letters, digits and symbols."},
    "panel.password_too_short": {"fr": "Le mot de passe du panneau doit contenir au moins {min} caractères.",
                                 "en": "The panel password must be at least {min} characters long."},
    "panel.password_kinds": {"fr": "Mélangez au moins trois sortes de caractères parmi minuscules, majuscules, "
                                   "chiffres et symboles.",
                             "en": "Mix at least three kinds of characters among lowercase, uppercase, digits "
                                   "and symbols."},
    "panel.password_ascii": {"fr": "Sans espace ni accent, s'il vous plaît (le panneau les refuse).",
                             "en": "No spaces or accented letters, please (the panel refuses them)."},
    "panel.password_mismatch": {"fr": "Les deux mots de passe ne sont pas identiques.",
                                "en": "The two passwords are not the same."},
}
