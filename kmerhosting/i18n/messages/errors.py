MESSAGES = {
    "error.not_authorized": {"fr": "Vous n'avez pas accès à cette action.",
                             "en": "You are not allowed to do this."},
    "error.session_blocked": {"fr": "Votre compte a été bloqué. Contactez support@kmerhosting.cm.",
                              "en": "Your account has been blocked. Contact support@kmerhosting.cm."},
    "error.not_found": {"fr": "Élément introuvable.", "en": "Not found."},
    "error.invalid_input": {"fr": "Donnée invalide.", "en": "Invalid input."},
    "error.invalid_duration": {"fr": "Durée non proposée : choisissez 1, 3, 6, 12, 24 ou 36 mois.",
                               "en": "Duration not offered: choose 1, 3, 6, 12, 24 or 36 months."},
    "error.insufficient_credits": {"fr": "Crédits insuffisants : il vous manque {missing}.",
                                   "en": "Not enough credits: you are {missing} short."},
    "error.domain_unavailable": {"fr": "Ce nom de domaine n'est pas disponible.",
                                 "en": "This domain name is not available."},
    "error.registrar_failed": {"fr": "Le registraire de domaines n'a pas pu traiter la demande. Réessayez plus tard.",
                               "en": "The domain registrar could not process the request. Please try again later."},
    "error.rate_limited": {"fr": "Trop de tentatives. Patientez quelques minutes avant de réessayer.",
                           "en": "Too many attempts. Please wait a few minutes before trying again."},
}
MESSAGES.update({
    "error.amount_not_integer": {"fr": "Le montant doit être un nombre entier de FCFA.",
                                 "en": "The amount must be a whole number of XAF."},
    "error.amount_positive": {"fr": "Le montant doit être supérieur à zéro.",
                              "en": "The amount must be greater than zero."},
})
MESSAGES.update({
    "error.domain_syntax": {"fr": "Nom de domaine invalide : lettres, chiffres et tirets, par exemple monsite.cm.",
                            "en": "Invalid domain name: letters, digits and hyphens, for example mysite.cm."},
    "error.domain_years": {"fr": "Durée d'enregistrement invalide : de 1 à 10 ans.",
                           "en": "Invalid registration period: 1 to 10 years."},
    "error.domain_tld_not_sold": {"fr": "Nous ne vendons pas encore l'extension {tld}.",
                                  "en": "We do not sell the {tld} extension yet."},
    "error.domain_price_currency": {"fr": "Prix du registraire dans une devise inattendue.",
                                    "en": "Registrar price in an unexpected currency."},
})
