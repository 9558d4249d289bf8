"""Who the stack must give the identity resources to, written out here rather than read from the catalogue's flags,
so a wrong flag fails the tests instead of passing them."""

IDENTITY = "Identity"  # the one function that signs tokens
WECHAT_CLIENTS = {"Identity", "Notifications"}  # the functions that call WeChat's server API with the AppSecret
