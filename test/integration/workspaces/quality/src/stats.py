def mean(values):
    if not values:
        raise ValueError("no values")
    
    return total / len(values)


def describe(values):
    if values:
        return "some"
    else_label = 
    return else_label
