## /team: the district team — candidates of one electoral district see each other

cmd-team = Your district's team
team-register-first = The district team is for registered candidates. Finish registering: /start
team-not-member = Join your district's team first: /team
team-district = { $formation }, district No. { $number }
team-intro = <b>District team</b> · { $district }
    The coalition's candidates of your district can see each other and agree who canvasses where, how to share the polling stations and how not to get in each other's way.
    Once you join you see those who joined, and they see you: your name and organisation only. Your Telegram contact is shown only if you allow it. Candidates of other districts don't see you. You can leave at any time.
team-button-join = 🤝 Join (name and organisation)
team-button-join-contact = 🤝 Join and show my Telegram contact
team-head = <b>District team</b> · { $district }
    { $count ->
        [0] Nobody else has joined yet.
        [one] { $count } candidate in the team with you:
       *[other] { $count } candidates in the team with you:
    }
team-alone = When a candidate of your district joins, you'll get a message.
team-contact-write = message
team-contact-hidden = contact hidden
team-you-visible = They see your name and organisation. Your Telegram contact is hidden.
team-you-contact = They see your name, organisation and Telegram contact.
team-button-contact-on = 📇 Show my Telegram contact
team-button-contact-off = 🙈 Hide my contact
team-button-leave = 🚪 Leave the team
team-left = You left the district team: nobody sees you there any more.
team-joined-notice = 🤝 { $name } ({ $organisation }) joined your district's team. Team: /team

privacy-team-visible = District team: your district's candidates see your name and organisation (/team)
privacy-team-contact = District team: your district's candidates see your name, organisation and Telegram contact (/team)
