print("brigade")
