MESSAGES = {
    # Registrar problems, as the customer reads them
    "domains.error_timeout": {
        "fr": "Le registraire de domaines n'a pas répondu à temps. Nous vérifions l'état de votre domaine : "
              "vous ne paierez pas deux fois.",
        "en": "The domain registrar did not answer in time. We are checking your domain: "
              "you will not pay twice."},
    "domains.error_timeout_refunded": {
        "fr": "Le registraire de domaines n'a pas répondu à temps et l'opération n'a pas eu lieu. "
              "Vos crédits ont été remboursés.",
        "en": "The domain registrar did not answer in time and nothing was done. "
              "Your credits have been refunded."},
    "domains.error_throttled": {
        "fr": "Le registraire de domaines reçoit trop de demandes. Réessayez dans quelques minutes.",
        "en": "The domain registrar is receiving too many requests. Please try again in a few minutes."},
    "domains.error_throttled_refunded": {
        "fr": "Le registraire de domaines reçoit trop de demandes. Vos crédits ont été remboursés\u00a0; "
              "réessayez dans quelques minutes.",
        "en": "The domain registrar is receiving too many requests. Your credits have been refunded; "
              "please try again in a few minutes."},
    "domains.error_unavailable_now": {
        "fr": "L'achat de domaines est momentanément indisponible. Notre équipe est prévenue\u00a0; réessayez plus tard.",
        "en": "Domain purchases are temporarily unavailable. Our team has been told; please try again later."},
    "domains.error_unavailable_now_refunded": {
        "fr": "L'achat de domaines est momentanément indisponible. Vos crédits ont été remboursés\u00a0; "
              "réessayez plus tard.",
        "en": "Domain purchases are temporarily unavailable. Your credits have been refunded; "
              "please try again later."},
    "domains.error_refused": {
        "fr": "Le registraire de domaines a refusé la demande (code {code}).",
        "en": "The domain registrar refused the request (code {code})."},
    "domains.error_refused_refunded": {
        "fr": "Le registraire de domaines a refusé la demande (code {code}). Vos crédits ont été remboursés.",
        "en": "The domain registrar refused the request (code {code}). Your credits have been refunded."},
    "domains.error_not_renewable": {
        "fr": "Ce domaine ne peut pas encore être renouvelé : son enregistrement n'est pas confirmé.",
        "en": "This domain cannot be renewed yet: its registration is not confirmed."},
    "domains.error_verify_email": {
        "fr": "Confirmez d'abord votre adresse e-mail (lien reçu à l'inscription) pour renouveler un domaine.",
        "en": "Please confirm your e-mail address first (link sent at sign-up) to renew a domain."},
    "domains.error_renew_in_progress": {
        "fr": "Un renouvellement de ce domaine est déjà en cours. Patientez quelques instants.",
        "en": "A renewal of this domain is already in progress. Please wait a moment."},
    # /domains: search
    "domains.title": {"fr": "Trouvez votre nom de domaine", "en": "Find your domain name"},
    "domains.subtitle": {
        "fr": "Tapez un nom : nous vérifions sa disponibilité dans chacune de nos extensions, "
              "avec le prix en FCFA pour la durée choisie.",
        "en": "Type a name: we check it in each of our extensions, with the price in XAF for the period you pick."},
    "domains.search_placeholder": {"fr": "monentreprise ou monentreprise.cm", "en": "mybusiness or mybusiness.cm"},
    "domains.search_button": {"fr": "Rechercher", "en": "Search"},
    "domains.empty_query": {"fr": "Tapez le nom que vous cherchez.", "en": "Type the name you are looking for."},
    "domains.available": {"fr": "Disponible", "en": "Available"},
    "domains.taken": {"fr": "Déjà pris", "en": "Taken"},
    "domains.years_label": {"fr": "Durée", "en": "Period"},
    "domains.add_to_cart": {"fr": "Ajouter au panier", "en": "Add to cart"},
    "domains.added_to_cart": {"fr": "{domain} a été ajouté à votre panier.", "en": "{domain} was added to your cart."},
    "domains.cart_unavailable": {"fr": "Le panier n'est pas encore disponible.",
                                 "en": "The cart is not available yet."},
    "domains.sandbox_note": {
        "fr": "Registraire de test : les disponibilités sont simulées et aucun domaine n'est réellement acheté.",
        "en": "Test registrar: availability is simulated and no domain is really bought."},
    # /dashboard/domains
    "domains.mine_title": {"fr": "Mes domaines", "en": "My domains"},
    "domains.mine_empty": {"fr": "Vous n'avez pas encore de domaine acheté chez nous.",
                           "en": "You have no domain bought here yet."},
    "domains.find_one": {"fr": "Trouver un domaine", "en": "Find a domain"},
    "domains.col_domain": {"fr": "Domaine", "en": "Domain"},
    "domains.col_expires": {"fr": "Expire le", "en": "Expires on"},
    "domains.col_days_left": {"fr": "Jours restants", "en": "Days left"},
    "domains.col_renew": {"fr": "Renouveler", "en": "Renew"},
    "domains.status_unknown": {"fr": "Confirmation en cours", "en": "Being confirmed"},
    "domains.renew_button": {"fr": "Renouveler pour {price}", "en": "Renew for {price}"},
    "domains.renewed": {"fr": "{domain} est renouvelé jusqu'au {date}.", "en": "{domain} is renewed until {date}."},
    "domains.balance": {"fr": "Votre solde : {amount}", "en": "Your balance: {amount}"},
    "domains.searching": {"fr": "Recherche en cours auprès du registraire…", "en": "Asking the registrar…"},
    "domains.error_slow": {
        "fr": "Le registraire ne répond pas assez vite. Réessayez dans un instant.",
        "en": "The registrar is not answering fast enough. Please try again in a moment."},
    "domains.error_price_stale": {
        "fr": "Le prix de ce renouvellement doit être vérifié de nouveau. Patientez un instant puis réessayez.",
        "en": "The price of this renewal must be checked again. Wait a moment, then try again."},
    "domains.renewing": {"fr": "Renouvellement en cours…", "en": "Renewal in progress…"},
    "domains.renew_paid": {
        "fr": "Renouvellement de {domain} payé : le registraire le confirme dans un instant.",
        "en": "Renewal of {domain} paid: the registrar confirms it in a moment."},
    "domains.renew_failed": {"fr": "Renouvellement de {domain} non effectué. {reason}",
                             "en": "Renewal of {domain} not done. {reason}"},
    "domains.price_checking": {"fr": "Prix en cours de vérification…", "en": "Checking the price…"},
}
