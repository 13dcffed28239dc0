from ttdk_xl.cli.commands import main

if __name__ == "__main__":
    main()
