MESSAGES = {
    # Errors raised by core/cart.py and core/checkout.py
    "shop.error.item_not_found": {"fr": "Cet article n'est pas dans votre panier.",
                                  "en": "This item is not in your cart."},
    "shop.error.unknown_pack": {"fr": "Cette offre n'existe pas ou n'est plus proposée.",
                                "en": "This plan does not exist or is no longer offered."},
    "shop.error.no_cart": {"fr": "Votre panier n'a pas pu être retrouvé. Rechargez la page.",
                           "en": "Your cart could not be found. Reload the page."},
    "shop.error.cart_full": {"fr": "Votre panier est plein ({n} articles au plus).",
                             "en": "Your cart is full ({n} items at most)."},
    "shop.error.cart_empty": {"fr": "Votre panier est vide.", "en": "Your cart is empty."},
    "shop.error.domain_hosted": {"fr": "Le domaine {domain} est déjà hébergé chez nous.",
                                 "en": "The domain {domain} is already hosted with us."},
    "shop.error.domain_in_cart": {"fr": "Le domaine {domain} est déjà dans votre panier.",
                                  "en": "The domain {domain} is already in your cart."},
    "shop.error.domain_locked": {"fr": "Le domaine de ce service est déjà enregistré ou en cours d'enregistrement.",
                                 "en": "This service's domain is already registered or being registered."},
    "shop.error.unverified": {"fr": "Confirmez votre adresse e-mail avant de commander (voir le lien reçu par e-mail).",
                              "en": "Confirm your e-mail address before ordering (see the link we e-mailed you)."},
    "shop.error.checkout_expired": {"fr": "Cette page de paiement a expiré. Rechargez-la pour continuer.",
                                    "en": "This checkout page has expired. Reload it to continue."},
    "shop.error.cart_changed": {"fr": "Votre panier ou ses prix ont changé depuis l'affichage. Vérifiez le "
                                      "nouveau récapitulatif avant de payer.",
                                "en": "Your cart or its prices changed since it was shown. Check the new "
                                      "summary before paying."},
    "shop.error.order_not_found": {"fr": "Commande introuvable.", "en": "Order not found."},
    "shop.error.login_to_pay": {"fr": "Connectez-vous pour payer votre panier.", "en": "Log in to pay for your cart."},
    # Order lines and results
    "shop.line.hosting": {"fr": "Hébergement {pack}, {duration} — {domain}",
                          "en": "{pack} hosting, {duration} — {domain}"},
    "shop.line.domain": {"fr": "Domaine {domain} ({years} an(s))", "en": "Domain {domain} ({years} year(s))"},
    "shop.result.domain_failed": {"fr": "Le registraire a refusé le domaine {domain} : il n'a pas été acheté et son "
                                        "prix a été recrédité. Choisissez un autre domaine pour votre hébergement.",
                                  "en": "The registrar refused the domain {domain}: it was not bought and its price "
                                        "was credited back. Choose another domain for your hosting."},
    "shop.result.domain_unknown": {"fr": "L'enregistrement du domaine {domain} est en cours de vérification auprès du "
                                         "registraire. Nous vous confirmerons le résultat ; en cas d'échec, il sera "
                                         "remboursé.",
                                   "en": "The registration of {domain} is being checked with the registrar. We will "
                                         "confirm the result; if it failed, it will be refunded."},
    "shop.result.refunded": {"fr": "Remboursé sur vos crédits : {amount}.", "en": "Refunded to your credits: {amount}."},
    "shop.status.paid": {"fr": "Payée", "en": "Paid"},
    "shop.status.partial": {"fr": "Livrée en partie", "en": "Partly delivered"},
    "shop.status.failed": {"fr": "Échouée, remboursée", "en": "Failed, refunded"},
    "shop.status.pending": {"fr": "En cours de vérification", "en": "Being checked"},
}
