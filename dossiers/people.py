"""How staff are named: Vietnamese order, family name first ("Nguyễn Văn A")."""


def person_name(user) -> str:
    if user is None:
        return ""
    return f"{user.last_name} {user.first_name}".strip() or user.get_username()
