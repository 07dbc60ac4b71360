# Operations: what the bot says about its own machinery.
error-old-message = This message is too old for its buttons to work. Open the menu: /menu
