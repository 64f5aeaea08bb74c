"""Mobile Money top-ups: the customer's form and live status, errors, the receipt mail, the admin page."""

NB = "\u00a0"  # French puts a no-break space before ":" ";" "?" "!"

MESSAGES = {
    # The customer's form on /dashboard/billing
    "payment.title": {"fr": "Recharger par Mobile Money", "en": "Top up with Mobile Money"},
    "payment.intro": {"fr": "Le montant arrive sur votre solde dès que vous confirmez sur votre téléphone.",
                      "en": "The amount reaches your balance as soon as you confirm on your phone."},
    "payment.amount_label": {"fr": "Montant (FCFA)", "en": "Amount (FCFA)"},
    "payment.operator_label": {"fr": "Opérateur", "en": "Operator"},
    "payment.phone_label": {"fr": "Numéro Mobile Money", "en": "Mobile Money number"},
    "payment.phone_placeholder": {"fr": "6 77 12 34 56", "en": "6 77 12 34 56"},
    "payment.limits": {"fr": "Entre {min} et {max}.", "en": "Between {min} and {max}."},
    "payment.submit": {"fr": "Recharger", "en": "Top up"},
    "payment.sending": {"fr": "Envoi…", "en": "Sending…"},
    "payment.new": {"fr": "Nouvelle recharge", "en": "New top-up"},
    "payment.sandbox_title": {"fr": "Mode test", "en": "Test mode"},
    "payment.sandbox_note": {
        "fr": f"Aucun argent n'est débité. Numéro finissant par 00{NB}: paiement refusé{NB}; 01{NB}: annulé{NB}; "
              f"99{NB}: sans réponse{NB}; tout autre numéro{NB}: réussi après quelques secondes.",
        "en": "No money is taken. A number ending in 00: payment refused; 01: cancelled; 99: no answer; "
              "any other number: succeeds after a few seconds."},
    "payment.recent_title": {"fr": "Mes paiements Mobile Money", "en": "My Mobile Money payments"},
    "payment.recent_empty": {"fr": "Aucun paiement Mobile Money pour l'instant.",
                             "en": "No Mobile Money payment yet."},
    "payment.col_date": {"fr": "Date", "en": "Date"},
    "payment.col_amount": {"fr": "Montant", "en": "Amount"},
    "payment.col_operator": {"fr": "Opérateur", "en": "Operator"},
    "payment.col_phone": {"fr": "Numéro", "en": "Number"},
    "payment.col_status": {"fr": "État", "en": "Status"},
    "payment.col_reference": {"fr": "Référence", "en": "Reference"},
    # Live status of the payment being made
    "payment.live_created": {"fr": "Envoi de la demande à {operator}…", "en": "Sending the request to {operator}…"},
    "payment.live_pending": {"fr": f"Confirmez sur votre téléphone ({{operator_short}}{NB}: {{ussd}})",
                             "en": "Confirm on your phone ({operator_short}: {ussd})"},
    "payment.live_pending_plain": {"fr": "Confirmez le paiement sur votre téléphone.",
                                   "en": "Confirm the payment on your phone."},
    "payment.live_pending_help": {
        "fr": "Une demande de {amount} a été envoyée au {phone}. Saisissez votre code secret pour l'accepter.",
        "en": "A request for {amount} was sent to {phone}. Enter your PIN to accept it."},
    "payment.hosted_page": {"fr": f"Pas de demande sur le téléphone{NB}? Payer sur la page sécurisée du prestataire",
                            "en": "No request on your phone? Pay on the provider's secure page"},
    "payment.live_complete": {"fr": f"Paiement reçu{NB}: {{amount}} ajoutés à votre solde.",
                              "en": "Payment received: {amount} added to your balance."},
    "payment.live_failed": {"fr": "Le paiement a été refusé. Aucun crédit n'a été ajouté.",
                            "en": "The payment was refused. No credit was added."},
    "payment.live_canceled": {"fr": "Le paiement a été annulé. Aucun crédit n'a été ajouté.",
                              "en": "The payment was cancelled. No credit was added."},
    "payment.live_expired": {
        "fr": "Le paiement n'a pas été confirmé à temps. Aucun crédit n'a été ajouté. Si votre compte Mobile "
              "Money a quand même été débité, le montant arrivera sur votre solde dès que l'opérateur le confirme.",
        "en": "The payment was not confirmed in time. No credit was added. If your Mobile Money account was "
              "debited anyway, the amount will reach your balance as soon as the operator confirms it."},
    "payment.live_flagged": {
        "fr": "Le montant reçu ne correspond pas à la demande. Notre équipe vérifie et vous contacte.",
        "en": "The amount received does not match the request. Our team is checking and will contact you."},
    # Errors
    "payment.error.phone": {
        "fr": "Numéro invalide. Indiquez un numéro mobile camerounais de 9 chiffres commençant par 6, "
              "par exemple 6 77 12 34 56.",
        "en": "Invalid number. Enter a Cameroonian mobile number of 9 digits starting with 6, "
              "for example 6 77 12 34 56."},
    "payment.error.operator": {"fr": "Choisissez MTN Mobile Money ou Orange Money.",
                               "en": "Choose MTN Mobile Money or Orange Money."},
    "payment.error.operator_mismatch": {
        "fr": "Ce numéro n'est pas un numéro de l'opérateur choisi. Vérifiez le numéro ou l'opérateur.",
        "en": "This number does not belong to the chosen operator. Check the number or the operator."},
    "payment.error.amount_range": {"fr": "Le montant doit être compris entre {min} et {max}.",
                                   "en": "The amount must be between {min} and {max}."},
    "payment.error.too_many_open": {
        "fr": "Vous avez déjà {n} paiements en attente de confirmation. Confirmez-les sur votre téléphone "
              "ou attendez qu'ils expirent.",
        "en": "You already have {n} payments waiting for confirmation. Confirm them on your phone or wait "
              "for them to expire."},
    "dashboard.credit_reference_used": {
        "fr": "Cette référence de paiement a déjà été utilisée. Vérifiez-la ou contactez-nous.",
        "en": "This payment reference has already been used. Check it or contact us."},
    # Receipt mail
    "mail.payment.subject": {"fr": "{amount} reçus par Mobile Money", "en": "{amount} received by Mobile Money"},
    "mail.payment.body": {
        "fr": "Nous avons reçu votre paiement {operator} de {amount} (référence {reference}). "
              "Il a été ajouté à vos crédits.",
        "en": "We received your {operator} payment of {amount} (reference {reference}). "
              "It was added to your credits."},
    # Words for values
    "display.payment_status_created": {"fr": "Envoi en cours", "en": "Sending"},
    "display.payment_status_pending": {"fr": "En attente de confirmation", "en": "Waiting for confirmation"},
    "display.payment_status_complete": {"fr": "Reçu", "en": "Received"},
    "display.payment_status_failed": {"fr": "Refusé", "en": "Refused"},
    "display.payment_status_canceled": {"fr": "Annulé", "en": "Cancelled"},
    "display.payment_status_expired": {"fr": "Expiré", "en": "Expired"},
    "display.payment_status_flagged": {"fr": "À vérifier", "en": "To be checked"},
    "display.operator_mtn": {"fr": "MTN Mobile Money", "en": "MTN Mobile Money"},
    "display.operator_orange": {"fr": "Orange Money", "en": "Orange Money"},
    "display.gateway_sandbox": {"fr": "Bac à sable (test)", "en": "Sandbox (test)"},
    "display.gateway_notchpay": {"fr": "Notch Pay", "en": "Notch Pay"},
    "display.gateway_campay": {"fr": "Campay", "en": "Campay"},
    "display.ref_payment": {"fr": "Paiement Mobile Money n°\u00a0{n}", "en": "Mobile Money payment #{n}"},
    # The admin's payments page (/admin/payments)
    "admin.menu.payments": {"fr": "Paiements Mobile Money", "en": "Mobile Money payments"},
    "admin.tile.payments": {"fr": "Paiements", "en": "Payments"},
    "admin.card.pending_payments": {"fr": "Paiements en attente", "en": "Pending payments"},
    "admin.card.failed_payments": {"fr": f"Paiements échoués (7{NB}jours)", "en": f"Failed payments (7{NB}days)"},
    "admin.card.flagged_payments": {"fr": "Paiements à vérifier", "en": "Payments to check"},
    "admin.payments.title": {"fr": "Paiements Mobile Money", "en": "Mobile Money payments"},
    "admin.payments.intro": {
        "fr": "Chaque recharge, ce que la passerelle a répondu et quand. Un paiement « à vérifier » a été "
              f"reçu avec un autre montant{NB}: rien n'a été crédité.",
        "en": "Every top-up, what the gateway answered and when. A payment \"to be checked\" was received "
              "with another amount: nothing was credited."},
    "admin.payments.search_placeholder": {"fr": "Référence, numéro ou e-mail",
                                          "en": "Reference, number or e-mail"},
    "admin.payments.all_statuses": {"fr": "Tous les états", "en": "All statuses"},
    "admin.payments.status_open": {"fr": "En cours (envoi ou attente)", "en": "Open (sending or waiting)"},
    "admin.payments.status_unsuccessful": {"fr": "Sans succès (refusé, annulé, expiré)",
                                           "en": "Unsuccessful (refused, cancelled, expired)"},
    "admin.payments.all_operators": {"fr": "Tous les opérateurs", "en": "All operators"},
    "admin.payments.all_gateways": {"fr": "Toutes les passerelles", "en": "All gateways"},
    "admin.payments.csv": {"fr": "Exporter (CSV)", "en": "Export (CSV)"},
    "admin.payments.col_customer": {"fr": "Client", "en": "Customer"},
    "admin.payments.col_amount": {"fr": "Montant", "en": "Amount"},
    "admin.payments.col_operator": {"fr": "Opérateur", "en": "Operator"},
    "admin.payments.col_status": {"fr": "État", "en": "Status"},
    "admin.payments.col_references": {"fr": "Références", "en": "References"},
    "admin.payments.col_when": {"fr": "Date", "en": "Date"},
    "admin.payments.timeline": {"fr": "Historique", "en": "Timeline"},
    "admin.payments.check_now": {"fr": "Vérifier maintenant", "en": "Check now"},
    "admin.payments.check_queued": {
        "fr": "Vérification demandée. La réponse de la passerelle s'affiche dès qu'elle arrive.",
        "en": "Check asked. The gateway's answer shows as soon as it arrives."},
    "admin.payments.check_already": {"fr": "Une vérification est déjà en cours pour ce paiement.",
                                     "en": "A check of this payment is already under way."},
    "admin.payments.check_waiting": {"fr": "Vérification en cours…", "en": "Checking…"},
    "admin.payments.check_done": {"fr": f"Vérification terminée{NB}: {{status}}.",
                                  "en": "Check finished: {status}."},
    "admin.payments.flagged_note": {
        "fr": f"Montant reçu différent de la demande{NB}: rien n'a été crédité. Vérifiez auprès de la passerelle.",
        "en": "Amount received differs from the request: nothing was credited. Check with the gateway."},
    "admin.payments.ours": {"fr": "Notre référence", "en": "Our reference"},
    "admin.payments.gateway_ref": {"fr": "Référence passerelle", "en": "Gateway reference"},
    "admin.payments.operator_ref": {"fr": "Référence opérateur", "en": "Operator reference"},
    "admin.payments.customer": {"fr": "Client", "en": "Customer"},
    "admin.payments.phone": {"fr": "Numéro", "en": "Number"},
    "admin.payments.gateway": {"fr": "Passerelle", "en": "Gateway"},
    "admin.payments.asked": {"fr": "Montant demandé", "en": "Amount asked"},
    "admin.payments.received": {"fr": "Montant reçu", "en": "Amount received"},
    "admin.payments.created": {"fr": "Créé le", "en": "Created"},
    "admin.payments.deadline": {"fr": "Échéance", "en": "Deadline"},
    "admin.payments.checked": {"fr": "Dernière vérification", "en": "Last checked"},
    "admin.payments.completed": {"fr": "Crédité le", "en": "Credited"},
    "admin.payments.reason": {"fr": "Motif", "en": "Reason"},
    "admin.payments.none": {"fr": "—", "en": "—"},
    "admin.payments.no_events": {"fr": "Aucun événement pour l'instant.", "en": "No event yet."},
    "admin.payments.said_nothing": {"fr": "Aucune donnée.", "en": "No data."},
    "admin.payments.no_status": {"fr": "Sans état", "en": "No status"},
    "admin.payments.close": {"fr": "Fermer", "en": "Close"},
    "admin.payments.source_start": {"fr": "Démarrage", "en": "Start"},
    "admin.payments.source_webhook": {"fr": "Notification de la passerelle", "en": "Gateway notification"},
    "admin.payments.source_poll": {"fr": "Vérification automatique", "en": "Automatic check"},
    "admin.payments.source_check": {"fr": "Vérification demandée", "en": "Check on request"},
    "admin.payments.source_admin": {"fr": "Administrateur", "en": "Administrator"},
    "admin.payments.source_expiry": {"fr": "Délai dépassé", "en": "Deadline passed"},
    "admin.payments.source_credit": {"fr": "Crédit", "en": "Credit"},
    "admin.payments.error.final": {
        "fr": f"Ce paiement est terminé{NB}: il n'y a plus rien à vérifier.",
        "en": "This payment is settled: there is nothing left to check."},
    "admin.audit.t_payment": {"fr": "Paiement", "en": "Payment"},
    "display.audit_payment.check": {"fr": "a demandé la vérification du paiement",
                                    "en": "asked for a check of the payment"},
    "display.field_job_id": {"fr": "Tâche n°", "en": "Job #"},
}
