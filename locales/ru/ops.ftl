# Operations: what the bot says about its own machinery.
error-old-message = Это сообщение устарело, и его кнопки больше не работают. Откройте меню: /menu
