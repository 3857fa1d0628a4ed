def gradcheck(): pass
def gradgradcheck(): pass
