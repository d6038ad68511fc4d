from facepack.cli import main

main()
