#!/bin/sh
# certbot deploy hook (/etc/letsencrypt/renewal-hooks/deploy/firecall-turn): copies the renewed
# certificate where the turnserver user can read it, then asks coturn to reload it (SIGUSR2),
# which keeps every allocation, so calls under way are not cut.
set -eu
domain="${FIRECALL_TURN_DOMAIN:-turn.example.com}"
live="/etc/letsencrypt/live/$domain"
case " ${RENEWED_DOMAINS:-$domain} " in *" $domain "*) ;; *) exit 0 ;; esac
install -d -o root -g turnserver -m 0750 /etc/coturn/tls
install -o root -g turnserver -m 0644 "$live/fullchain.pem" /etc/coturn/tls/fullchain.pem
install -o root -g turnserver -m 0640 "$live/privkey.pem" /etc/coturn/tls/privkey.pem
systemctl reload firecall-turn.service
