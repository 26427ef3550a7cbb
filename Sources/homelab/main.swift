import CLI

await HomelabCommand.execute()
