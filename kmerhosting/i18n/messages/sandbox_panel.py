"""The sandbox panel's page (accounts on a sandbox server: nothing real)."""

MESSAGES = {
    "sandbox_panel.title": {"fr": "Panneau de test", "en": "Test panel"},
    "sandbox_panel.note": {
        "fr": "Ce compte est sur un serveur de test\u00a0: aucun hébergement réel n'a été créé. Sur un vrai "
              "serveur, ce bouton ouvre cPanel, déjà connecté.",
        "en": "This account is on a test server: no real hosting was created. On a real server, this button "
              "opens cPanel, already logged in."},
    "sandbox_panel.username": {"fr": "Utilisateur", "en": "Username"},
    "sandbox_panel.domain": {"fr": "Domaine", "en": "Domain"},
    "sandbox_panel.package": {"fr": "Formule du serveur", "en": "Server package"},
    "sandbox_panel.state": {"fr": "État", "en": "State"},
    "sandbox_panel.active": {"fr": "Actif", "en": "Active"},
    "sandbox_panel.suspended": {"fr": "Suspendu", "en": "Suspended"},
    "sandbox_panel.none": {"fr": "Aucun compte de test à ce nom.", "en": "No test account by that name."},
}
